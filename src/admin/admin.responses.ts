import { z } from 'zod';
import { AGGREGATION_JOB_TYPES, AGGREGATION_STATUSES } from '../platform/db/schema.js';
import { isoTimestamp, okBody, pageBody, queueCounts, type Same } from '../platform/http/route-doc.js';
import type { WorkerHeartbeat } from '../platform/queue/heartbeat.js';
import { QUEUE_NAMES } from '../platform/queue/registry.js';
import type { GroupHealth } from './health.rules.js';
import type { QueuesService } from './queues.service.js';

/** Response shapes of the admin job-monitoring API (API.md and ours), for OpenAPI and the client. */

export const queueNameSchema = z.enum(QUEUE_NAMES).meta({ id: 'QueueName' });

export const groupHealthSchema = z.object({
  healthy: z.boolean(),
  workers: z.record(z.string(), z.object({ isRunning: z.boolean(), error: z.string().optional() })),
  scheduledJobs: z.number().int(),
  schedules: z.array(z.object({
    id: z.string(), pattern: z.string(), nextRun: isoTimestamp.nullable(), overdue: z.boolean(),
    paused: z.boolean().describe('paused by an admin: never overdue, never a problem (a warning says since when)'),
  })),
  failureRates: z.record(z.string(), z.object({ completed: z.number().int(), failed: z.number().int(), rate: z.number() })),
  problems: z.array(z.string()),
  warnings: z.array(z.string()).optional().describe('shown with the group; they leave it healthy'),
  transports: z.array(z.object({
    name: z.string().describe('smtp-1, smtp-2, … in SMTP_URL order'),
    address: z.string().describe('host:port (never credentials)'),
    state: z.enum(['closed', 'open', 'half-open']).describe('the worst state any worker holds'),
    openUntil: isoTimestamp.nullable().describe('the latest cool-down end among the workers holding it open'),
    consecutiveFailures: z.number().int(),
    lastError: z.string().nullable(),
    lastErrorAt: isoTimestamp.nullable(),
    sent: z.number().int().describe('summed over the workers since they started'),
    trips: z.number().int(),
    workers: z.number().int().describe('workers reporting it (each has its own breakers)'),
    openIn: z.number().int().describe('workers whose breaker for it is open or half-open'),
  }).meta({ id: 'SmtpTransportHealth' })).optional().describe('email group only: each SMTP transport as the workers\' heartbeats report it (up to WORKER_HEARTBEAT_MS old)'),
}).meta({ id: 'WorkerHealth' });

const up = z.object({ healthy: z.boolean() });
export const jobHealthBody = okBody(z.object({
  healthy: z.boolean().describe('true only if Redis, PostgreSQL and every group are'),
  redis: up,
  postgres: up,
  postgresReplica: z.object({
    healthy: z.boolean().describe('reachable with lag within DATABASE_READ_MAX_LAG_MS; when false, lag-tolerant reads go to the primary'),
    reachable: z.boolean().nullable(),
    lagMs: z.number().nullable().describe('replay lag at the last check (null: unknown or unreachable)'),
    maxLagMs: z.number().int(),
  }).optional().describe('DATABASE_READ_URL only; does not make `healthy` false, since reads fall back to the primary'),
  error: z.string().optional().describe('set when Redis is unreachable (groups unknown)'),
}).catchall(groupHealthSchema).describe('plus one WorkerHealth per group: email, analytics, search, blog, …').meta({ id: 'JobHealth' }));

export const workerSchema = z.object({
  id: z.string(), host: z.string(), pid: z.number().int(), queues: z.array(queueNameSchema), concurrency: z.record(z.string(), z.number().int()),
  startedAt: isoTimestamp, lastSeenAt: isoTimestamp, activeJobs: z.number().int(),
}).meta({ id: 'Worker' });
export const workersBody = okBody(z.array(workerSchema));

export const notificationStatsBody = okBody(z.object({
  delivery: queueCounts,
  digest: z.object({ lastDailyRun: isoTimestamp.optional(), lastWeeklyRun: isoTimestamp.optional(), nextDailyRun: isoTimestamp.optional(), nextWeeklyRun: isoTimestamp.optional() }),
}));

export const aggregationLogSchema = z.object({
  id: z.string(), jobType: z.enum(AGGREGATION_JOB_TYPES), periodStartDate: isoTimestamp, periodEndDate: isoTimestamp, startedAt: isoTimestamp,
  completedAt: isoTimestamp.nullable(), status: z.enum(AGGREGATION_STATUSES), recordsProcessed: z.number().int(), recordsCreated: z.number().int(),
  recordsUpdated: z.number().int(), errorsCount: z.number().int(), durationSeconds: z.number().nullable(), memoryUsedMb: z.number().nullable(),
  errorMessage: z.string().nullable(), errorStack: z.string().nullable(), metadata: z.record(z.string(), z.unknown()), createdAt: isoTimestamp,
}).meta({ id: 'MetricsAggregationJobLog' });
export const aggregationLogsBody = pageBody(aggregationLogSchema);

const perMinute = z.array(z.number().int()).describe('60 counts, one per minute, oldest first');
export const queueOverviewSchema = z.object({
  name: queueNameSchema, group: z.string(), description: z.string(), paused: z.boolean(), counts: z.record(z.string(), z.number().int()),
  workers: z.number().int(), perMinute: z.object({ completed: perMinute, failed: perMinute }),
  lastHour: z.object({ completed: z.number().int(), failed: z.number().int() }),
}).meta({ id: 'QueueOverview' });
export const queuesBody = okBody(z.array(queueOverviewSchema));

export const schedulerSchema = z.object({
  id: z.string(), queue: queueNameSchema, job: z.string(), pattern: z.string(), tz: z.string().optional(), description: z.string(), registered: z.boolean(),
  nextRun: isoTimestamp.nullable(), iterations: z.number().int(), overdue: z.boolean().describe('next run past SCHEDULE_GRACE_MS, or not registered; never while paused'),
  paused: z.boolean().describe('paused by an admin (POST /api/admin/jobs/schedulers/:id/pause): not registered, nothing runs but manual runs'),
  pausedAt: isoTimestamp.nullable(), pausedBy: z.string().nullable().describe('the admin\'s user id (null once that user is deleted, and for MONITORING_TOKEN)'),
}).meta({ id: 'Scheduler' });
export const schedulersBody = okBody(z.array(schedulerSchema));

const jobSummary = z.object({
  id: z.string().optional(), name: z.string(), state: z.string().nullable(), attemptsMade: z.number().int(), progress: z.unknown(),
  timestamp: z.number().describe('ms since the epoch'), processedOn: z.number().nullable(), finishedOn: z.number().nullable(), failedReason: z.string().nullable(),
});
export const jobSummarySchema = jobSummary.meta({ id: 'JobSummary' });
export const jobsPageBody = pageBody(jobSummarySchema);
export const jobDetailBody = okBody(jobSummary.extend({
  data: z.unknown(), opts: z.record(z.string(), z.unknown()), returnValue: z.unknown(), stacktrace: z.array(z.string()), logs: z.array(z.string()), delay: z.number(),
}).meta({ id: 'JobDetail' }));
export const retriedBody = okBody(z.object({ jobId: z.string(), status: z.literal('retried') }));
export const countBody = okBody(z.object({ count: z.number().int() }));
export const pausedBody = okBody(z.object({ paused: z.boolean() }));
export const removedBody = okBody(z.object({ removed: z.number().int() }));

export const auditEntrySchema = z.object({
  id: z.string(), action: z.string(), queue: z.string().nullable(), jobId: z.string().nullable(), details: z.unknown(),
  adminId: z.string().nullable(), adminEmail: z.string().nullable(), createdAt: isoTimestamp,
}).meta({ id: 'AuditEntry' });
export const auditBody = pageBody(auditEntrySchema);

export const emailSchema = z.object({
  id: z.string(), key: z.string(), kind: z.enum(['notification', 'digest']), notificationId: z.string().nullable(), userId: z.string().nullable(),
  to: z.string(), subject: z.string(), status: z.string(), attempts: z.number().int(), messageId: z.string(), error: z.string().nullable(),
  headers: z.unknown(), html: z.string().nullable(), text: z.string().nullable(), createdAt: isoTimestamp, sentAt: isoTimestamp.nullable(),
}).meta({ id: 'Email' });
export const emailsBody = pageBody(emailSchema);

type Service<K extends keyof QueuesService> = QueuesService[K] extends (...args: never[]) => Promise<infer R> ? R : never;
const _group: Same<Omit<z.output<typeof groupHealthSchema>, 'warnings'>, GroupHealth> = true;
const _worker: Same<Omit<z.output<typeof workerSchema>, 'concurrency'>, Omit<WorkerHeartbeat, 'concurrency'>> = true;
const _retry: Same<z.output<typeof retriedBody>['data'], Service<'retry'>> = true;
const _overview: Same<Omit<z.output<typeof queueOverviewSchema>, 'counts' | 'group'>, Omit<Service<'overview'>[number], 'counts' | 'group'>> = true;
const _schedulers: Same<z.output<typeof schedulersBody>['data'][number]['nextRun'], Service<'schedulers'>[number]['nextRun']> = true;
const _schedulerPause: Same<Pick<z.output<typeof schedulerSchema>, 'paused' | 'pausedAt' | 'pausedBy' | 'overdue'>, Pick<Service<'schedulers'>[number], 'paused' | 'pausedAt' | 'pausedBy' | 'overdue'>> = true;
