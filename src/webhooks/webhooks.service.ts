import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditRepository } from '../admin/index.js';
import type { Db } from '../platform/db/client.js';
import type { WebhookDeliveryStatus, WebhookEventType } from '../platform/db/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../platform/errors.js';
import { isId } from '../platform/http/validation.js';
import { DeferUntilError } from '../platform/queue/deferral.js';
import { enqueueInTx } from '../platform/queue/outbox.js';
import { checkedAddress, postWebhook, RefusedTargetError, type PostOptions, type Resolver } from './webhooks.http.js';
import type { WebhookMetrics } from './webhooks.metrics.js';
import type { WebhooksRepository } from './webhooks.repository.js';
import { deferralMs, isSuccess, signatureHeader, urlProblem } from './webhooks.rules.js';

export interface WebhooksServiceDeps {
  readonly db: Db;
  readonly repo: WebhooksRepository;
  readonly audit: AuditRepository;
  readonly resolver: Resolver;
  readonly settings: { readonly allowPrivate: boolean; readonly timeoutMs: number; readonly responseMaxBytes: number; readonly retryMs: number; readonly backoffMs: number; readonly subscriptionCacheMs: number };
  readonly metrics: WebhookMetrics;
  readonly agents: PostOptions['agents'];
  readonly now?: () => number;
}

export interface EndpointInput {
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly secret?: string;
  readonly description?: string | null;
}

export const USER_AGENT = 'herald-webhooks/1';

const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

/** Outbound webhooks: endpoints (admin), the signed delivery of one event, its attempts and replays. */
export class WebhooksService {
  private readonly now: () => number;

  constructor(private readonly deps: WebhooksServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The URL's shape and, through DNS now, where it leads: a private target is refused (400) unless allowed. */
  private async checkUrl(raw: string): Promise<void> {
    const problem = urlProblem(raw);
    if (problem) throw new InvalidError(`Invalid webhook URL: ${problem}`);
    try {
      // A name whose DNS does not answer is refused within WEBHOOK_TIMEOUT_MS, not after getaddrinfo gives up.
      await checkedAddress(new URL(raw), { resolver: this.deps.resolver, allowPrivate: this.deps.settings.allowPrivate, lookupTimeoutMs: this.deps.settings.timeoutMs });
    } catch (err) {
      if (err instanceof RefusedTargetError) throw new InvalidError(`Invalid webhook URL: ${err.message}`);
      throw err;
    }
  }

  /**
   * A change that may add a subscription answers once every process's subscription cache was read
   * after its commit (WEBHOOK_SUBSCRIPTION_CACHE_MS): from its answer on, every event is sent.
   */
  private async settle<T>(row: T): Promise<T> {
    const ms = this.deps.settings.subscriptionCacheMs;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return row;
  }

  /** The secret is in the answer of this call only (GET never shows it): the admin stores it now. */
  async create(adminId: string, input: EndpointInput) {
    await this.checkUrl(input.url);
    return this.settle(await this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.repo.in(tx).createEndpoint({ url: input.url, events: [...new Set(input.events)], secret: input.secret ?? newSecret(), description: input.description ?? null });
      await this.deps.audit.in(tx).record({ adminId, action: 'webhook.create', jobId: row.id, details: { url: row.url, events: row.events } });
      return row;
    }));
  }

  list() {
    return this.deps.repo.listEndpoints();
  }

  async get(id: string) {
    const row = isId(id) ? await this.deps.repo.getEndpoint(id) : undefined;
    if (!row) throw new NotFoundError('Webhook not found');
    return row;
  }

  async update(adminId: string, id: string, changes: Partial<EndpointInput> & { enabled?: boolean }) {
    if (!isId(id)) throw new NotFoundError('Webhook not found');
    if (changes.url !== undefined) await this.checkUrl(changes.url);
    const row = await this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.repo.in(tx).updateEndpoint(id, {
        ...(changes.url !== undefined ? { url: changes.url } : {}), ...(changes.events ? { events: [...new Set(changes.events)] } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}), ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.secret !== undefined ? { secret: changes.secret } : {}),
      });
      if (!row) throw new NotFoundError('Webhook not found');
      // The secret itself is never written to the audit log.
      const { secret, ...logged } = changes;
      await this.deps.audit.in(tx).record({ adminId, action: 'webhook.update', jobId: id, details: { ...logged, ...(secret !== undefined ? { secretChanged: true } : {}) } });
      return row;
    });
    return changes.events || changes.enabled ? this.settle(row) : row;
  }

  async remove(adminId: string, id: string): Promise<void> {
    if (!isId(id)) throw new NotFoundError('Webhook not found');
    await this.deps.db.transaction().execute(async (tx) => {
      if (!(await this.deps.repo.in(tx).deleteEndpoint(id))) throw new NotFoundError('Webhook not found');
      await this.deps.audit.in(tx).record({ adminId, action: 'webhook.delete', jobId: id });
    });
  }

  /** A `webhook.test` ping to this endpoint alone, through the same job, signature and attempts as any event. */
  async test(adminId: string, id: string): Promise<{ deliveryId: string }> {
    if (!isId(id)) throw new NotFoundError('Webhook not found');
    return this.deps.db.transaction().execute(async (tx) => {
      // Unknown or deleted meanwhile (the foreign key's check fails): the endpoint is gone, 404.
      const row = await this.deps.repo.in(tx).insertDelivery(id, 'webhook.test', `test:${randomUUID()}`, { message: 'A test event from herald.' }).catch((err: { code?: string }) => {
        throw err.code === '23503' ? new NotFoundError('Webhook not found') : err;
      });
      await enqueueInTx(tx, 'webhook-delivery', 'WebhookDeliver', { id: String(row.id) });
      await this.deps.audit.in(tx).record({ adminId, action: 'webhook.test', jobId: id, details: { deliveryId: row.delivery_id } });
      return { deliveryId: row.delivery_id };
    });
  }

  async deliveries(id: string, q: { status?: WebhookDeliveryStatus; page: number; pageSize: number }) {
    await this.get(id);
    const { rows, total } = await this.deps.repo.listDeliveries(id, { status: q.status, limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
    const attempts = await this.deps.repo.attemptsOf(rows.map((r) => r.id));
    return { total, rows: rows.map((r) => ({ ...r, attemptRows: attempts.filter((a) => a.delivery_id === r.id) })) };
  }

  /** Sends a delivered or failed delivery again (same X-Herald-Delivery id); a pending one is still being retried: 409. */
  async replay(adminId: string, id: string, deliveryId: string): Promise<{ deliveryId: string }> {
    if (!isId(id) || !isId(deliveryId)) throw new NotFoundError('Delivery not found');
    return this.deps.db.transaction().execute(async (tx) => {
      const reopened = await this.deps.repo.in(tx).reopen(id, deliveryId);
      if (reopened === null) throw new NotFoundError('Delivery not found');
      if (reopened === 'pending') throw new ConflictError('The delivery is still pending (being retried); replay it once it is delivered or failed');
      await enqueueInTx(tx, 'webhook-delivery', 'WebhookDeliver', { id: String(reopened) });
      await this.deps.audit.in(tx).record({ adminId, action: 'webhook.replay', jobId: id, details: { deliveryId } });
      return { deliveryId };
    });
  }

  /**
   * One attempt at one delivery (the job's). Sent only while pending and once no older delivery of
   * its ordering key to this endpoint is pending: an older one still retrying defers this one (no
   * attempt used), so a notification's `read` never overtakes its `created`, however many workers
   * run and whatever the retries do. An older one pending for longer than its retries can last
   * (its row left behind by a crash) no longer holds the line. A failure throws so BullMQ retries
   * on its backoff; the last attempt marks the delivery failed.
   */
  async deliver(id: number, attempt: { final: boolean }): Promise<'delivered' | 'skipped'> {
    const { repo, settings, metrics } = this.deps;
    const now = this.now();
    const d = await repo.deliveryToSend(id, new Date(now - 4 * settings.retryMs));
    if (!d || d.status !== 'pending') return 'skipped';
    if (!d.enabled) {
      await repo.fail(id, 'endpoint disabled');
      return 'skipped';
    }
    if (d.older_pending_since) {
      metrics.deferred.inc({ event: d.event_type });
      throw new DeferUntilError(new Date(now + deferralMs(settings.backoffMs, now - new Date(d.older_pending_since).getTime())), 'an older event of its ordering key is still pending for this endpoint');
    }
    const body = JSON.stringify({ id: d.delivery_id, type: d.event_type, createdAt: d.created_at.toISOString(), data: d.payload });
    const result = await postWebhook(d.url, {
      body, timeoutMs: settings.timeoutMs, maxResponseBytes: settings.responseMaxBytes, resolver: this.deps.resolver, allowPrivate: settings.allowPrivate, agents: this.deps.agents,
      headers: {
        'content-type': 'application/json', 'user-agent': USER_AGENT, 'x-herald-event': d.event_type, 'x-herald-delivery': d.delivery_id,
        'x-herald-signature': signatureHeader(d.secret, Math.floor(now / 1000), body),
      },
    });
    const ok = result.status !== null && isSuccess(result.status);
    const error = ok ? null : result.error ?? (result.status! >= 300 && result.status! < 400 ? `HTTP ${result.status} (redirects are not followed)` : `HTTP ${result.status}`);
    const outcome = ok ? 'delivered' : attempt.final ? 'failed' : 'retry';
    await repo.settleAttempt({ deliveryId: id, statusCode: result.status, durationMs: result.durationMs, error, snippet: result.snippet }, ok ? 'delivered' : attempt.final ? 'failed' : 'pending');
    metrics.deliveries.inc({ event: d.event_type, outcome });
    metrics.duration.observe({ event: d.event_type }, result.durationMs / 1000);
    if (!ok) {
      metrics.failures.inc({ event: d.event_type });
      throw new Error(`webhook delivery ${d.delivery_id} to endpoint ${d.endpoint_id}: ${error}`);
    }
    return 'delivered';
  }
}
