import type { Executor } from '../platform/db/client.js';
import type { SearchEntityType } from '../platform/db/schema.js';
import { chunk, enqueueInTx, enqueueManyInTx } from '../platform/queue/outbox.js';

/** Bulk index jobs carry at most this many entities (one set-based statement each). */
export const BULK_CHUNK = 1_000;

/**
 * Call in the transaction that creates, updates or deletes an entity: its document follows once
 * the transaction commits. Jobs of one entity collapse while they wait; none is ever dropped
 * after a later change, because the worker frees the key before it reads the entity.
 */
export function indexInTx(tx: Executor, entityType: SearchEntityType, entityId: string): Promise<void> {
  return enqueueInTx(tx, 'search-index-update', 'SearchIndexUpdate', { entityType, entityId }, { dedupeKey: `search:${entityType}:${entityId}` });
}

/** A brand's name is part of its projects' and licenses' documents: they follow its changes. */
export function indexBrandInTx(tx: Executor, brandId: string): Promise<void> {
  return enqueueInTx(tx, 'search-index-update', 'SearchIndexUpdate', { entityType: 'brand', entityId: brandId }, { dedupeKey: `search:brand:${brandId}` });
}

/** For bulk imports: the entities go to the bulk queue in chunks of BULK_CHUNK. */
export function indexManyInTx(tx: Executor, entityType: SearchEntityType, entityIds: readonly string[]): Promise<void> {
  return enqueueManyInTx(tx, 'search-index-bulk', 'SearchIndexBulk', chunk(entityIds, BULK_CHUNK).map((ids) => ({ entityType, entityIds: ids })));
}
