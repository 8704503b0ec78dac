/**
 * The names of herald's Redis keys, in one place. A Redis Cluster hashes only the part of a key
 * between its first `{` and the next `}` when there is one, and refuses a script, MULTI or MGET
 * whose keys fall in different slots. So every family of keys used together carries one hash tag:
 *
 * - a queue: BullMQ's keys are `<prefix>:<name>:<suffix>`, and its Lua scripts touch many of them
 *   at once; the name in braces (`herald:{notification-delivery}:wait`) puts each queue whole on
 *   one slot, and different queues on different slots (one tag in the prefix would put them all
 *   on one shard). The outbox's epoch of a queue lives in that slot too, so a shard that loses its
 *   data loses the epochs of exactly the queues it held.
 * - the worker heartbeats, written in one MULTI and read with one MGET: `{workers}`.
 * - a rate-limit counter or an event-stream registry: tagged by its subject (a user, an address),
 *   so different users spread over the shards and each user's keys stay together.
 *
 * Tagging is always on, on a single Redis too (one shape everywhere; it costs nothing there).
 * QUEUE_PREFIX allows no braces, so a prefix can never override these tags.
 */

/** `{value}`: the part of a key a Redis Cluster hashes. */
export const hashTag = (value: string): string => `{${value}}`;

/** The name BullMQ knows a queue by (its keys: `<prefix>:{<queue>}:<suffix>`). */
export const bullQueueName = (queue: string): string => hashTag(queue);

/** The outbox relay's marker that a queue's shard still holds what was relayed to it. */
export const outboxEpochKey = (prefix: string, queue: string): string => `${prefix}:${bullQueueName(queue)}:outbox-epoch`;

/** The set of live worker ids, and each worker's heartbeat (same slot: one MULTI, one MGET). */
export const workersKey = (prefix: string): string => `${prefix}:${hashTag('workers')}`;
export const workerKey = (prefix: string, id: string): string => `${workersKey(prefix)}:${id}`;

/** A rate-limit counter (`bucket`: the window's number) or pace (no bucket) of one subject. */
export const rateLimitKey = (prefix: string, name: string, subject: string, bucket?: number): string =>
  `${prefix}:rl:${name}:${hashTag(subject)}${bucket === undefined ? '' : `:${bucket}`}`;

/** A user's open event streams across API processes. */
export const streamRegistryKey = (prefix: string, userId: string): string => `${prefix}:sse:${hashTag(userId)}`;
