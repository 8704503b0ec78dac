import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { WebhookDeliveryStatus } from '../platform/db/schema.js';

export interface EmittedEvent {
  readonly type: string;
  readonly orderingKey: string;
  readonly data: Record<string, unknown>;
}

export interface AttemptRecord {
  readonly deliveryId: number;
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly snippet: string | null;
}

/** Every SQL statement of outbound webhooks: endpoints, deliveries (the ordering rule's reads) and attempts. */
export class WebhooksRepository extends Repository {
  /**
   * One delivery per event per enabled endpoint subscribed to its type, in one statement whatever
   * the number of events (a fan-out page's). With no subscriber it inserts nothing: the partial
   * index on enabled endpoints makes that one probe. Rows are numbered in the order of `events`.
   * FOR KEY SHARE: an endpoint being deleted meanwhile is waited for and then skipped (no
   * delivery), where the foreign key's check would fail the emitting transaction (a notification,
   * an email's completion after SMTP accepted it) with 23503.
   */
  async insertDeliveries(events: readonly EmittedEvent[]): Promise<number[]> {
    const json = JSON.stringify(events.map((e) => ({ type: e.type, key: e.orderingKey, data: e.data })));
    const { rows } = await sql<{ id: number }>`
      INSERT INTO webhook_deliveries (endpoint_id, event_type, ordering_key, payload)
      SELECT e.id, ev.item->>'type', ev.item->>'key', ev.item->'data'
      FROM jsonb_array_elements(${json}::jsonb) WITH ORDINALITY AS ev(item, ord)
      JOIN webhook_endpoints e ON e.enabled AND ev.item->>'type' = ANY (e.events)
      ORDER BY ev.ord, e.id
      FOR KEY SHARE OF e
      RETURNING id`.execute(this.db);
    return rows.map((r) => Number(r.id));
  }

  /** A delivery for one endpoint only (webhook.test), whatever it subscribes to. */
  async insertDelivery(endpointId: string, type: string, orderingKey: string, data: Record<string, unknown>): Promise<{ id: number; delivery_id: string }> {
    return this.db.insertInto('webhook_deliveries').values({ endpoint_id: endpointId, event_type: type, ordering_key: orderingKey, payload: JSON.stringify(data) })
      .returning(['id', 'delivery_id']).executeTakeFirstOrThrow();
  }

  /** Every event type some enabled endpoint subscribes to (the subscription cache's read). */
  async subscribedTypes(): Promise<string[]> {
    const { rows } = await sql<{ type: string }>`SELECT DISTINCT unnest(events) AS type FROM webhook_endpoints WHERE enabled`.execute(this.db);
    return rows.map((r) => r.type);
  }

  createEndpoint(values: { url: string; events: string[]; secret: string; description: string | null }) {
    return this.db.insertInto('webhook_endpoints').values(values).returningAll().executeTakeFirstOrThrow();
  }

  listEndpoints() {
    return this.db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  getEndpoint(id: string) {
    return this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  updateEndpoint(id: string, changes: { url?: string; events?: string[]; enabled?: boolean; description?: string | null }) {
    return this.db.updateTable('webhook_endpoints').set({ ...changes, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * What the job needs to send one delivery, in one round trip: the row, its endpoint, and
   * `older_pending_since`: when the oldest delivery of the same ordering key that is older than
   * this one and still pending for this endpoint was created (null: none; then this one may go),
   * among those created after `createdAfter`.
   */
  deliveryToSend(id: number, createdAfter: Date) {
    return this.db.selectFrom('webhook_deliveries as d').innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select(['d.id', 'd.delivery_id', 'd.endpoint_id', 'd.event_type', 'd.ordering_key', 'd.payload', 'd.status', 'd.attempts', 'd.created_at', 'e.url', 'e.secret', 'e.enabled'])
      .select((eb) => eb.selectFrom('webhook_deliveries as o').select('o.created_at')
        .whereRef('o.endpoint_id', '=', 'd.endpoint_id').whereRef('o.ordering_key', '=', 'd.ordering_key').where('o.status', '=', 'pending')
        .whereRef('o.id', '<', 'd.id').where('o.created_at', '>', createdAfter).orderBy('o.id').limit(1).as('older_pending_since'))
      .where('d.id', '=', id).executeTakeFirst();
  }

  /**
   * An attempt recorded and its delivery moved (delivered, still pending: retried, or failed for
   * good), in one statement, so no transaction is needed. Only a pending row moves.
   */
  async settleAttempt(a: AttemptRecord, status: WebhookDeliveryStatus): Promise<void> {
    await sql`
      WITH attempt AS (
        INSERT INTO webhook_attempts (delivery_id, status_code, duration_ms, error, response_snippet)
        VALUES (${a.deliveryId}, ${a.statusCode}, ${a.durationMs}, ${a.error}, ${a.snippet})
      )
      UPDATE webhook_deliveries SET status = ${status}, attempts = attempts + 1, last_error = ${a.error},
        delivered_at = CASE WHEN ${status} = 'delivered' THEN now() ELSE delivered_at END
      WHERE id = ${a.deliveryId} AND status = 'pending'`.execute(this.db);
  }

  /** A delivery given up without an attempt (its endpoint disabled). */
  async fail(id: number, error: string): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ status: 'failed', last_error: error }).where('id', '=', id).where('status', '=', 'pending').execute();
  }

  /**
   * Back to pending for a replay, in one conditional statement: of two replays at once only one
   * reopens it (the other finds it pending: 'pending'). Null when the endpoint has no such delivery.
   */
  async reopen(endpointId: string, deliveryId: string): Promise<number | null | 'pending'> {
    const reopened = await this.db.updateTable('webhook_deliveries').set({ status: 'pending', last_error: null })
      .where('endpoint_id', '=', endpointId).where('delivery_id', '=', deliveryId).where('status', '<>', 'pending').returning('id').executeTakeFirst();
    if (reopened) return reopened.id;
    const exists = await this.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpointId).where('delivery_id', '=', deliveryId).executeTakeFirst();
    return exists ? 'pending' : null;
  }

  async listDeliveries(endpointId: string, q: { status?: WebhookDeliveryStatus; limit: number; offset: number }) {
    let query = this.readDb.selectFrom('webhook_deliveries').where('endpoint_id', '=', endpointId);
    if (q.status) query = query.where('status', '=', q.status);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  attemptsOf(deliveryIds: readonly number[]) {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.readDb.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('id').execute();
  }
}
