/**
 * bench:failover — what SMTP failover costs (issue 18): a burst of BENCH_FAILOVER_EMAILS messages
 * (the service's rendered notification email) through the FailoverTransport, SMTP_POOL_SIZE (10)
 * pooled connections per transport and as many messages in flight (one per connection, as the
 * EmailService's slots allow), into in-process counting SMTP sinks:
 *
 * 1. healthy: one URL, a healthy sink (the reference);
 * 2. primary down from the start: smtp-1 refuses connections (nothing listens), smtp-2 healthy;
 * 3. primary killed mid-burst: both healthy, smtp-1 stopped (listener closed, connections cut)
 *    once it has accepted a fifth of the burst.
 *
 * After a warm-up burst (discarded), each figure is emails/s and its ratio to (1) in the same run; (3) also reports the messages sent
 * twice (a 250 lost with the cut connection: the at-most-once-per-Message-ID caveat). No
 * PostgreSQL or Redis: this is the transport's cost, not the delivery pipeline's (bench:delivery).
 *
 *   npm run bench:failover
 *   BENCH_FAILOVER_EMAILS=2000 npm run bench:failover   # smoke
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { FailoverTransport } from '../src/platform/email/failover.transport.js';
import { freePort } from '../src/platform/net.js';
import { CountingSink } from './lib/counting-sink.js';
import { log } from './lib/database.js';
import { realisticMail } from './lib/delivery-helpers.js';
import { intEnv } from './lib/env.js';

const EMAILS = intEnv('BENCH_FAILOVER_EMAILS', 20_000);
const POOL = intEnv('BENCH_FAILOVER_POOL', 10);
const mail = realisticMail();
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function burst(urls: string[], onProgress?: (sent: number) => Promise<void> | void) {
  const transport = new FailoverTransport(urls, { maxConnections: POOL, timeoutMs: 10_000, cooldownMs: 30_000, maxCooldownMs: 300_000, max4xx: 5 });
  const byTransport: Record<string, number> = {};
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: POOL }, async () => {
    while (next < EMAILS) {
      const n = ++next;
      const id = randomUUID();
      try {
        const handOff = await transport.send({
          from: 'Herald <no-reply@herald.local>', to: `user${n}@bench.local`, subject: mail.subject, html: mail.html, text: mail.text,
          messageId: `<notification.${id}@herald.local>`, headers: { 'X-Herald-Notification': id, 'List-Unsubscribe': `<${mail.unsubscribeUrl}>` },
        });
        byTransport[handOff.transport] = (byTransport[handOff.transport] ?? 0) + 1;
      } catch {
        failed++;
      }
      await onProgress?.(n);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const views = transport.views();
  await transport.close();
  return { seconds: round(seconds, 2), emailsPerSecond: round(EMAILS / seconds), byTransport, failed, breakers: views.map((v) => ({ name: v.name, state: v.state, trips: v.trips })) };
}

async function main() {
  log(`bench:failover: ${EMAILS} emails a burst, ${POOL} connections per transport`);
  const a = await new CountingSink().start();
  const b = await new CountingSink().start();
  // Warm-up (JIT, the sinks' first connections), not recorded: the first burst would pay it alone.
  await burst([a.url]);
  a.reset();
  const healthy = await burst([a.url]);
  log(`healthy: ${healthy.emailsPerSecond}/s`);
  a.reset();

  const dead = `smtp://127.0.0.1:${await freePort()}`;
  const downFromStart = await burst([dead, b.url]);
  log(`primary down from the start: ${downFromStart.emailsPerSecond}/s`);
  b.reset();

  let killedAt: number | null = null;
  let killing: Promise<void> | null = null;
  const midBurst = await burst([a.url, b.url], async () => {
    if (killing === null && a.count >= EMAILS / 5) {
      killedAt = a.count;
      killing = a.stop();
    }
    await killing;
  });
  const delivered = new Set([...a.firstArrival.keys(), ...b.firstArrival.keys()]);
  const raw = a.count + b.count;
  log(`primary killed mid-burst: ${midBurst.emailsPerSecond}/s`);
  await b.stop();
  await a.stop();

  const ratio = (x: number) => round(x / healthy.emailsPerSecond, 2);
  console.log(JSON.stringify({
    bench: 'failover', at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, load: os.loadavg().map((l) => round(l, 2)),
    emails: EMAILS, connectionsPerTransport: POOL,
    healthy,
    primaryDownFromStart: { ...downFromStart, ratioToHealthy: ratio(downFromStart.emailsPerSecond) },
    primaryKilledMidBurst: {
      ...midBurst, ratioToHealthy: ratio(midBurst.emailsPerSecond), killedAfter: killedAt,
      delivered: delivered.size, lost: EMAILS - delivered.size, sentTwice: raw - delivered.size,
    },
  }, null, 2));
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
