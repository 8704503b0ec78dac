import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { snsCertUrlAllowed, snsUrlAllowed } from './sns.rules.js';

/** A signing certificate is a few KiB; a SubscribeURL's answer a short XML document. */
const MAX_BYTES = 64 * 1024;
/** Certificates kept in memory; SNS signs with one per region at a time, so a handful is plenty. */
const MAX_CACHED = 32;

export interface SnsClientOptions {
  /** EMAIL_SNS_CERT_HOSTS: where certificates and SubscribeURLs may be fetched from. */
  readonly certHosts: readonly string[];
  /** EMAIL_SNS_CA_FILE: a CA trusted besides the system's (a test's own, a TLS-inspecting proxy's). */
  readonly caFile: string | undefined;
  readonly fetchTimeoutMs: number;
}

export class SnsFetchError extends Error {}

/**
 * herald's outbound side of SNS: fetches signing certificates (cached by URL) and confirms
 * subscriptions. Every URL is checked against the host allow-list first; TLS is verified (an extra
 * CA may be added, verification is never turned off); a redirect is a failure, never followed (it
 * could lead off the allowed hosts); answers are capped in size and time.
 */
export class SnsClient {
  private readonly keys = new Map<string, Promise<{ key: KeyObject; validTo: number }>>();
  private readonly ca: string[] | undefined;

  constructor(private readonly options: SnsClientOptions) {
    this.ca = options.caFile ? [...rootCertificates, readFileSync(options.caFile, 'utf8')] : undefined;
  }

  allowed(url: string): boolean {
    return snsUrlAllowed(url, this.options.certHosts);
  }

  /** A signing certificate's URL: an allowed host and SNS's certificate path (snsCertUrlAllowed). */
  certAllowed(url: string): boolean {
    return snsCertUrlAllowed(url, this.options.certHosts);
  }

  /**
   * The public key of the certificate at `url` (already checked with `allowed`), fetched once per
   * URL; a failed fetch is not cached (the next message tries again). A certificate outside its
   * validity period is refused.
   */
  async signingKey(url: string): Promise<KeyObject> {
    const cached = this.keys.get(url);
    if (cached) {
      const { key, validTo } = await cached;
      // Checked on every use, not only at the fetch: a cached certificate that has since expired
      // is fetched again (and refused, unless the URL now serves a valid one).
      if (validTo >= Date.now()) return key;
      if (this.keys.get(url) === cached) this.keys.delete(url);
    }
    return this.fetchKey(url);
  }

  private async fetchKey(url: string): Promise<KeyObject> {
    const entry = this.get(url).then((pem) => {
      const cert = new X509Certificate(pem);
      const now = Date.now();
      if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) throw new SnsFetchError('signing certificate is not valid now');
      return { key: cert.publicKey, validTo: Date.parse(cert.validTo) };
    });
    entry.catch(() => this.keys.delete(url));
    if (this.keys.size >= MAX_CACHED) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(url, entry);
    return (await entry).key;
  }

  /** Confirms a subscription: a GET of its SubscribeURL (already checked with `allowed`). */
  async confirm(subscribeUrl: string): Promise<void> {
    await this.get(subscribeUrl);
  }

  private get(url: string): Promise<string> {
    if (!this.allowed(url)) return Promise.reject(new SnsFetchError('URL not allowed'));
    return new Promise((resolve, reject) => {
      const request = https.get(url, { ca: this.ca, timeout: this.options.fetchTimeoutMs, headers: { accept: '*/*' } }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new SnsFetchError(`answered ${response.statusCode ?? '?'}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) {
            request.destroy(new SnsFetchError(`answer over ${MAX_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.on('error', reject);
      });
      // The socket's idle timeout; the overall deadline below bounds a server trickling bytes.
      request.on('timeout', () => request.destroy(new SnsFetchError('timed out')));
      const deadline = setTimeout(() => request.destroy(new SnsFetchError('timed out')), this.options.fetchTimeoutMs);
      request.on('close', () => clearTimeout(deadline));
      request.on('error', reject);
    });
  }
}
