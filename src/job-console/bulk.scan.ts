import type { Queue } from 'bullmq';
import type { RedisClient } from '../platform/redis/connection.js';
import type { BulkState, ScannedJob } from './bulk.rules.js';

/**
 * The Redis side of bulk operations: reads one page of a queue's state at a time, in order,
 * with the fields a filter needs, in one script call per page (the job hashes live in the
 * queue's slot, so a Redis Cluster runs it on one shard). Nothing here holds more than a page.
 */

/** A job as read, with where the scan was: its score in a sorted set, or its index in the wait list. */
export interface ScannedEntry extends ScannedJob {
  /** Index in the wait list when read (a hint for the next step's start); -1 in a sorted set. */
  readonly position: number;
  /** How many times a worker took the job (BullMQ's `ats`): a waiting job taken since reads higher. */
  readonly started: number;
}

export interface ScanPage {
  readonly jobs: ScannedEntry[];
  /** The scan reached the end of the state (or, failed and completed, of what finished by the cutoff). */
  readonly ended: boolean;
}

/** Where a page starts: after this job (and, in a sorted set, at this score; in the wait list, near this index). */
export interface ScanFrom {
  readonly id: string | null;
  readonly score: string | null;
  readonly offset: number;
}

// Byte-wise comparison: Lua's `<` on strings follows the server's locale (Redis sets LC_COLLATE
// from its environment), a sorted set orders equal scores by bytes.
const AFTER = `
local function after(a, b)
  local la, lb = #a, #b
  for i = 1, math.min(la, lb) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return la > lb
end`;

const FIELDS = `
local function push(out, prefix, id, where, withData)
  local f = redis.call('HMGET', prefix .. id, 'name', 'failedReason', 'timestamp', 'finishedOn', 'rjk', 'ats')
  out[#out + 1] = id
  out[#out + 1] = where
  for i = 1, 6 do out[#out + 1] = f[i] or '' end
  if withData then out[#out + 1] = redis.call('HGET', prefix .. id, 'data') or '' else out[#out + 1] = '' end
end`;

/**
 * A sorted set, ascending by (score, member) as Redis orders it, from after (ARGV[2], ARGV[3]).
 * While that member is still there at that score its rank is the start; when it left (acted on,
 * retried by hand), the start is the first member at its score and the ones of that score up to
 * it (bytewise) are passed over. Stops after ARGV[5] jobs, or at the first score above ARGV[4].
 */
const ZSET_SCRIPT = `${AFTER}
${FIELDS}
local key, prefix, cs, cid, maxs, n, withData = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6] == '1'
local maxn = nil
if maxs ~= '' then maxn = tonumber(maxs) end
local start, tie = 0, nil
if cs ~= '' then
  local csn = tonumber(cs)
  local own = redis.call('ZSCORE', key, cid)
  if own and tonumber(own) == csn then
    start = redis.call('ZRANK', key, cid) + 1
  else
    start = redis.call('ZCOUNT', key, '-inf', '(' .. cs)
    tie = csn
  end
end
local out = { 0 }
local got = 0
while got < n do
  local page = redis.call('ZRANGE', key, start, start + n - 1, 'WITHSCORES')
  for i = 1, #page, 2 do
    local id, s = page[i], page[i + 1]
    local sn = tonumber(s)
    if maxn and sn > maxn then out[1] = 1 return out end
    if not (tie and sn == tie and not after(id, cid)) then
      push(out, prefix, id, s, withData)
      got = got + 1
      if got == n then
        if i + 1 == #page and #page < 2 * n then out[1] = 1 end
        return out
      end
    end
  end
  if #page < 2 * n then out[1] = 1 return out end
  start = start + n
end
return out`;

/**
 * The wait list, from its head (newest: BullMQ pushes new jobs on the left and workers take the
 * oldest from the right) after job ARGV[2], found at its old index ARGV[3] or searched for. An
 * anchor that is gone was taken by a worker, and every job older than it before it: the end.
 */
const LIST_SCRIPT = `${FIELDS}
local key, prefix, anchor, hint, n, withData = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
local start = 0
if anchor ~= '' then
  if redis.call('LINDEX', key, hint) == anchor then
    start = hint + 1
  else
    local p = redis.call('LPOS', key, anchor)
    if not p then return { 1 } end
    start = p + 1
  end
end
local ids = redis.call('LRANGE', key, start, start + n - 1)
local out = { 0 }
if #ids < n then out[1] = 1 end
for i, id in ipairs(ids) do push(out, prefix, id, tostring(start + i - 1), withData) end
return out`;

const WIDTH = 9;
const num = (value: string): number | null => (value === '' ? null : Number(value));

const STATE_KEY: Readonly<Record<BulkState, 'failed' | 'completed' | 'delayed' | 'wait' | 'prioritized'>> = {
  failed: 'failed', completed: 'completed', delayed: 'delayed', waiting: 'wait', prioritized: 'prioritized',
};

/** The sorted set or list holding a state's jobs. */
export const stateKey = (queue: Queue, state: BulkState): string => queue.keys[STATE_KEY[state]]!;

/**
 * One page of `state` after `from`, at most `count` jobs; failed and completed jobs only up to
 * `maxScore` (their finishedOn), so what finished after the cutoff is never even read.
 */
export async function scanPage(client: RedisClient, queue: Queue, state: BulkState, from: ScanFrom, count: number, opts: { maxScore: number | null; withData: boolean }): Promise<ScanPage> {
  const prefix = queue.toKey('');
  const withData = opts.withData ? '1' : '0';
  const reply = (state === 'waiting'
    ? await client.eval(LIST_SCRIPT, 1, stateKey(queue, state), prefix, from.id ?? '', String(from.offset), String(count), withData)
    : await client.eval(ZSET_SCRIPT, 1, stateKey(queue, state), prefix, from.score ?? '', from.id ?? '', opts.maxScore === null ? '' : String(opts.maxScore), String(count), withData)) as Array<number | string>;
  const jobs: ScannedEntry[] = [];
  for (let i = 1; i + WIDTH <= reply.length; i += WIDTH) {
    const [id, where, name, failedReason, timestamp, finishedOn, rjk, ats, data] = reply.slice(i, i + WIDTH).map(String) as [string, string, string, string, string, string, string, string, string];
    jobs.push({
      id, score: state === 'waiting' ? null : where, position: state === 'waiting' ? Number(where) : -1,
      name, failedReason: failedReason === '' ? null : failedReason, data: opts.withData ? data : null,
      timestamp: num(timestamp) ?? Number.NaN, finishedOn: num(finishedOn), schedulerIteration: rjk !== '', started: num(ats) ?? 0,
    });
  }
  return { jobs, ended: Number(reply[0]) === 1 };
}

/**
 * Whether the job is still where the scan saw it: in the sorted set at the same score, or (wait
 * list) the same job (same timestamp) never taken by a worker since. Checked right before acting.
 */
export async function stillThere(client: RedisClient, queue: Queue, state: BulkState, job: ScannedEntry): Promise<boolean> {
  if (state !== 'waiting') {
    const score = await client.zscore(stateKey(queue, state), job.id);
    return score !== null && Number(score) === Number(job.score);
  }
  const [timestamp, ats] = await client.hmget(queue.toKey(job.id), 'timestamp', 'ats');
  return timestamp !== null && Number(timestamp) === job.timestamp && Number(ats ?? 0) === job.started;
}

/**
 * How long a claim holds if its step dies before releasing it (a step releases every claim it
 * took once the job is settled): well past any bulk step, short enough that a stale one clears itself.
 */
export const CLAIM_MS = 3_600_000;

/**
 * One bulk step's claim on one job as seen (its id and score or timestamp): of two admins running
 * the same bulk operation at once, exactly one acts on each job. Keyed inside the queue's slot.
 */
export async function claim(client: RedisClient, queue: Queue, state: BulkState, job: ScannedEntry): Promise<boolean> {
  return (await client.set(claimKey(queue, state, job), '1', 'PX', CLAIM_MS, 'NX')) === 'OK';
}

export async function release(client: RedisClient, queue: Queue, state: BulkState, job: ScannedEntry): Promise<void> {
  await client.del(claimKey(queue, state, job));
}

// <prefix>:{<queue>}:bulk-claim:<state>:<id>:<score|timestamp>. Never a job's key: job ids hold no ':'
// (BullMQ's schedulers' repeat:<id>:<ms> start with 'repeat').
const claimKey = (queue: Queue, state: BulkState, job: ScannedEntry) => queue.toKey(`bulk-claim:${state}:${job.id}:${job.score ?? job.timestamp}`);
