import { execFileSync } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A stand-in for sns.<region>.amazonaws.com: a real HTTPS server on 127.0.0.1 with a certificate
 * made here by the openssl CLI, serving that certificate as the SNS signing certificate and
 * answering SubscribeURL GETs. The app trusts it through EMAIL_SNS_CA_FILE (never by turning
 * verification off) and allows its host through EMAIL_SNS_CERT_HOSTS.
 */
export class FakeSns {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'a2-sns-'));
  readonly certFile = path.join(this.dir, 'cert.pem');
  readonly keyFile = path.join(this.dir, 'key.pem');
  /** Another key: what an attacker signs with. */
  readonly otherKeyFile = path.join(this.dir, 'other-key.pem');
  readonly requests: string[] = [];
  private server: https.Server | null = null;
  port = 0;

  constructor() {
    const req = (key: string, out: string) => execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', out, '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    req(this.keyFile, this.certFile);
    req(this.otherKeyFile, path.join(this.dir, 'other-cert.pem'));
  }

  get base(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get certUrl(): string {
    return `${this.base}/SimpleNotificationService-test.pem`;
  }

  async start(port = 47210): Promise<this> {
    const cert = readFileSync(this.certFile, 'utf8');
    this.server = https.createServer({ key: readFileSync(this.keyFile), cert }, (request, response) => {
      this.requests.push(request.url ?? '');
      if (request.url === '/SimpleNotificationService-test.pem') return response.end(cert);
      if (request.url?.startsWith('/SimpleNotificationService-redirect-')) return response.writeHead(302, { location: '/SimpleNotificationService-test.pem' }).end();
      if (request.url?.startsWith('/?Action=ConfirmSubscription')) return response.end('<ConfirmSubscriptionResponse><SubscriptionArn>arn</SubscriptionArn></ConfirmSubscriptionResponse>');
      response.writeHead(404).end();
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        // Our range is taken (another run of this file): any free port will do.
        if (err.code === 'EADDRINUSE') server.listen(0, '127.0.0.1', resolve);
        else reject(err);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    server?.closeAllConnections();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:herald-bounces';

type Message = Record<string, string | null | undefined>;

/**
 * The string SNS signs, written here from AWS's documentation independently of the app's code:
 * name, newline, value, newline for each of these fields present, in this order.
 */
function stringToSign(m: Message): string {
  const keys = m.Type === 'Notification'
    ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.filter((k) => typeof m[k] === 'string').map((k) => `${k}\n${m[k]}\n`).join('');
}

/** Signs an SNS message as SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). */
export function signSns(m: Message, keyFile: string, version: '1' | '2' = '2'): Message {
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(stringToSign(m), 'utf8');
  return { ...m, SignatureVersion: version, Signature: signer.sign(readFileSync(keyFile), 'base64') };
}

export function notification(sns: FakeSns, message: unknown, extra: Message = {}): Message {
  return {
    Type: 'Notification', MessageId: randomUUID(), TopicArn: TOPIC, Message: JSON.stringify(message),
    Timestamp: new Date().toISOString(), SigningCertURL: sns.certUrl, UnsubscribeURL: `${sns.base}/?Action=Unsubscribe`, ...extra,
  };
}

/** SES's event as published to SNS, naming our Message-ID in the original headers. */
export function sesBounce(email: string, messageId: string, bounceType: 'Permanent' | 'Transient' = 'Permanent') {
  return {
    notificationType: 'Bounce',
    bounce: {
      feedbackId: `0100${randomUUID()}`, bounceType, bounceSubType: 'General', timestamp: new Date().toISOString(),
      bouncedRecipients: [{ emailAddress: email, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    },
    mail: {
      timestamp: new Date().toISOString(), source: 'no-reply@herald.local', messageId: `0100-ses-${randomUUID()}`, destination: [email],
      headersTruncated: false, headers: [{ name: 'From', value: 'no-reply@herald.local' }, { name: 'Message-ID', value: messageId }],
      commonHeaders: { from: ['no-reply@herald.local'], to: [email], subject: 'Payout' },
    },
  };
}

export function sesComplaint(email: string, messageId: string) {
  return {
    eventType: 'Complaint',
    complaint: { feedbackId: `0100${randomUUID()}`, complaintFeedbackType: 'abuse', timestamp: new Date().toISOString(), complainedRecipients: [{ emailAddress: email }] },
    mail: { messageId: `0100-ses-${randomUUID()}`, destination: [email], commonHeaders: { messageId } },
  };
}
