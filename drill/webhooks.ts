import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../src/platform/net.js';
import type { Cluster, HeraldProcess } from './cluster.js';
import type { Knobs } from './knobs.js';
import { drillReport, type DrillReport } from './stats.js';
import { adminToken, Client, login, notifyUsers, seedUsers } from './traffic.js';

/** One request the receiver took: its delivery id, event, notification and whether it was accepted. */
export interface WebhookHit {
  readonly delivery: string;
  readonly event: string;
  readonly notificationId: string | null;
  readonly accepted: boolean;
}

/**
 * The verdict over what a receiver accepted (pure): each expected delivery accepted exactly once,
 * and per notification `notification.created` accepted before its `read` and its `email.sent`.
 */
export function webhookVerdict(expected: readonly string[], hits: readonly WebhookHit[]) {
  const accepted = hits.filter((h) => h.accepted);
  const counts = new Map<string, number>();
  for (const h of accepted) counts.set(h.delivery, (counts.get(h.delivery) ?? 0) + 1);
  const lost = expected.filter((id) => !counts.has(id)).length;
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  const firstCreated = new Map<string, number>();
  let outOfOrder = 0;
  accepted.forEach((h, i) => {
    if (!h.notificationId) return;
    if (h.event === 'notification.created') firstCreated.set(h.notificationId, firstCreated.get(h.notificationId) ?? i);
    else if (!firstCreated.has(h.notificationId)) outOfOrder++;
  });
  return { expected: expected.length, accepted: accepted.length, lost, duplicated, outOfOrder };
}

/** A receiver on a fixed port that can go down (connections refused) and come back. */
class DrillReceiver {
  readonly hits: WebhookHit[] = [];
  private server: http.Server | null = null;
  port = 0;

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: { notificationId?: string | null } };
        this.hits.push({ delivery: String(req.headers['x-herald-delivery']), event: body.type, notificationId: body.data.notificationId ?? null, accepted: true });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Outbound webhooks (issue 18). Every process restarted with WEBHOOK_ALLOW_PRIVATE=true (the
 * receiver is on 127.0.0.1); one endpoint subscribed to notification.created, notification.read
 * and email.sent. The receiver goes down for DRILL_WEBHOOK_DOWN_SECONDS while DRILL_WEBHOOK_USERS
 * users get notifications in rounds and read them through the API; then it comes back. Targets:
 * every delivery delivered, each accepted exactly once (X-Herald-Delivery), none lost, a
 * notification's read and email.sent never accepted before its created, no process exited.
 */
export async function webhooksDrill(cluster: Cluster, knobs: Knobs, log: (m: string) => void): Promise<DrillReport> {
  const receiver = new DrillReceiver();
  await receiver.start();
  const everyone = [...cluster.apis, ...cluster.workers];
  await restart(everyone, { WEBHOOK_ALLOW_PRIVATE: 'true' });
  try {
    const client = new Client(() => cluster.apis.map((a) => a.url), knobs.requestTimeoutMs);
    const admin = await adminToken(client);
    const url = `http://127.0.0.1:${receiver.port}/hook`;
    const created = await client.call('POST', '/api/admin/webhooks', { endpoint: 'POST /api/admin/webhooks', token: admin, body: { url, events: ['notification.created', 'notification.read', 'email.sent'] } });
    if (created.status !== 201) throw new Error(`registering the endpoint failed: ${created.status} ${JSON.stringify(created.body)}`);
    const endpointId = (created.body as { data: { id: string } }).data.id;
    const users = await seedUsers(cluster, 'webhooks', knobs.webhookUsers);
    await login(client, users);

    await receiver.stop();
    const downAt = Date.now();
    log(`webhooks: receiver down for ${knobs.webhookDownSeconds} s; ${users.length} users get and read notifications meanwhile`);
    // Rounds until the outage ends: a round notifies every user once, then each reads what it has.
    let rounds = 0;
    let reads = 0;
    while (Date.now() - downAt < knobs.webhookDownSeconds * 1000 || rounds === 0) {
      await notifyUsers(client, admin, users.map((u) => u.id), `webhooks-round-${++rounds}`);
      for (const u of users) {
        const list = await client.call('GET', '/api/notifications?read=false&pageSize=100', { endpoint: 'GET /api/notifications', token: u.token });
        for (const n of ((list.body as { data?: { id: string }[] }).data ?? [])) {
          if ((await client.call('POST', `/api/notifications/${n.id}/read`, { endpoint: 'POST /api/notifications/:id/read', token: u.token })).status === 200) reads++;
        }
      }
      // A round every 5 s or so, until the outage is over (a drill's pacing, not a wait for a condition).
      const left = knobs.webhookDownSeconds * 1000 - (Date.now() - downAt);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, left)));
    }
    const refused = await cluster.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1 AND a.error LIKE 'ECONNREFUSED%'", [endpointId]);
    await receiver.start();
    const backAt = Date.now();
    log(`webhooks: receiver back after ${Math.round((backAt - downAt) / 1000)} s (${rounds} rounds, ${reads} reads)`);

    const pending = async () => Number((await cluster.db.query<{ n: string }>("SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'", [endpointId])).rows[0]!.n);
    const drained = await waitFor(async () => (await pending()) === 0, knobs.drainSeconds * 1000, 500);
    const drainSeconds = Math.round((Date.now() - backAt) / 100) / 10;
    const rows = await cluster.db.query<{ delivery_id: string; event_type: string; status: string; attempts: number }>(
      'SELECT delivery_id, event_type, status, attempts FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id', [endpointId]);
    const verdict = webhookVerdict(rows.rows.map((r) => r.delivery_id), receiver.hits);
    const byEvent: Record<string, number> = {};
    for (const r of rows.rows) byEvent[r.event_type] = (byEvent[r.event_type] ?? 0) + 1;
    const exited = cluster.exited();
    return drillReport('webhooks', {
      drained,
      everyDeliveryDelivered: rows.rows.every((r) => r.status === 'delivered'),
      noneLost: verdict.lost === 0,
      noneDuplicated: verdict.duplicated === 0,
      inOrderPerNotification: verdict.outOfOrder === 0,
      readsAndEmailsIncluded: (byEvent['notification.read'] ?? 0) === reads && (byEvent['email.sent'] ?? 0) > 0,
      noProcessExited: exited.length === 0,
    }, {
      params: { users: users.length, downSeconds: knobs.webhookDownSeconds, workers: cluster.workers.length, jobBackoffMs: Number(process.env.JOB_BACKOFF_MS ?? 1_000) },
      rounds, reads, deliveriesByEvent: byEvent, attemptsRefusedWhileDown: Number(refused.rows[0]!.n),
      maxAttempts: Math.max(0, ...rows.rows.map((r) => r.attempts)),
      drainAfterReturnSeconds: drainSeconds,
      verdict,
      exitedProcesses: exited,
    });
  } finally {
    await receiver.stop();
    await restart(everyone, {});
  }
}

async function restart(processes: readonly HeraldProcess[], overrides: Record<string, string>): Promise<void> {
  for (const p of processes) p.overrides = overrides;
  await Promise.all(processes.map((p) => p.restart()));
}
