import type { HttpClient } from './http.js';
import type { BodyOf, CallInput, OperationKey, ResponseOf } from './operations.js';
import type {
  AggregationLogFilters, BulkAction, NotificationFilters, QueueName, UnreadCountQuery, UpdateNotificationPreferencesRequest,
} from './types.js';

type Query<K extends OperationKey> = CallInput<K> extends { query?: infer Q } ? Q : never;
type Opts = { signal?: AbortSignal };

/** The inbox and its preferences (API.md "Notifications"). */
export function notificationApi(http: HttpClient) {
  return {
    /** The feed by default; `{ archived: true }` the archive, `'all'` both; `types` for a tab of several types. */
    list: (filters: NotificationFilters = {}, o: Opts = {}) => http.call('GET /api/notifications', { query: filters, ...o }),
    /** `{ count, unseen }`; with `{ by: 'type' }` also `byType` (every type, zeros included). */
    unreadCount: ({ signal, ...query }: UnreadCountQuery & Opts = {}) => http.call('GET /api/notifications/unread-count', { query, signal }),
    markRead: (id: string, o: Opts = {}) => http.call('POST /api/notifications/{id}/read', { params: { id }, ...o }),
    markUnread: (id: string, o: Opts = {}) => http.call('POST /api/notifications/{id}/unread', { params: { id }, ...o }),
    markAllRead: (o: Opts = {}) => http.call('POST /api/notifications/read-all', o),
    /** The bell was opened: the feed's unread notifications become seen (the unseen badge clears). */
    seenAll: (o: Opts = {}) => http.call('POST /api/notifications/seen-all', o),
    archive: (id: string, o: Opts = {}) => http.call('POST /api/notifications/{id}/archive', { params: { id }, ...o }),
    unarchive: (id: string, o: Opts = {}) => http.call('POST /api/notifications/{id}/unarchive', { params: { id }, ...o }),
    /** Hidden until `until` (in the future, at most 90 days); then back unread and unseen. */
    snooze: (id: string, until: Date | string, o: Opts = {}) =>
      http.call('POST /api/notifications/{id}/snooze', { params: { id }, body: { until: typeof until === 'string' ? until : until.toISOString() }, ...o }),
    unsnooze: (id: string, o: Opts = {}) => http.call('POST /api/notifications/{id}/unsnooze', { params: { id }, ...o }),
    /** One action on 1..100 ids; `count` is how many changed (ids not the caller's change nothing). */
    bulk: (ids: readonly string[], action: BulkAction, o: Opts = {}) => http.call('POST /api/notifications/bulk', { body: { ids: [...ids], action }, ...o }),
    delete: (id: string, o: Opts = {}) => http.call('DELETE /api/notifications/{id}', { params: { id }, ...o }),
    getPreferences: (o: Opts = {}) => http.call('GET /api/notifications/preferences', o),
    updatePreferences: (updates: UpdateNotificationPreferencesRequest, o: Opts = {}) => http.call('PATCH /api/notifications/preferences', { body: updates, ...o }),
  };
}

/** Admin job monitoring (API.md) and the queue operations around it. ADMIN only. */
export function adminJobsApi(http: HttpClient) {
  const queue = (queueName: QueueName) => ({ params: { queue: queueName } });
  return {
    health: (o: Opts = {}) => http.call('GET /api/admin/jobs/health', o),
    aggregationLogs: (filters: AggregationLogFilters = {}, o: Opts = {}) => http.call('GET /api/admin/jobs/aggregation/logs', { query: filters, ...o }),
    searchIndexStats: (o: Opts = {}) => http.call('GET /api/admin/jobs/search-index/stats', o),
    notificationStats: (o: Opts = {}) => http.call('GET /api/admin/jobs/notifications/stats', o),
    retry: (queueName: QueueName, jobId: string, o: Opts = {}) => http.call('POST /api/admin/jobs/{queueName}/{jobId}/retry', { params: { queueName, jobId }, ...o }),
    getJob: (queueName: QueueName, jobId: string, o: Opts = {}) => http.call('GET /api/admin/jobs/{queueName}/{jobId}', { params: { queueName, jobId }, ...o }),
    removeJob: (queueName: QueueName, jobId: string, o: Opts = {}) => http.call('DELETE /api/admin/jobs/{queueName}/{jobId}', { params: { queueName, jobId }, ...o }),
    workers: (o: Opts = {}) => http.call('GET /api/admin/jobs/workers', o),
    queues: (o: Opts = {}) => http.call('GET /api/admin/jobs/queues', o),
    jobs: (queueName: QueueName, query: Query<'GET /api/admin/jobs/queues/{queue}/jobs'> = {}, o: Opts = {}) =>
      http.call('GET /api/admin/jobs/queues/{queue}/jobs', { ...queue(queueName), query, ...o }),
    retryFailed: (queueName: QueueName) => http.call('POST /api/admin/jobs/queues/{queue}/retry-failed', queue(queueName)),
    promote: (queueName: QueueName) => http.call('POST /api/admin/jobs/queues/{queue}/promote', queue(queueName)),
    pause: (queueName: QueueName) => http.call('POST /api/admin/jobs/queues/{queue}/pause', queue(queueName)),
    resume: (queueName: QueueName) => http.call('POST /api/admin/jobs/queues/{queue}/resume', queue(queueName)),
    clean: (queueName: QueueName, body: BodyOf<'POST /api/admin/jobs/queues/{queue}/clean'>) =>
      http.call('POST /api/admin/jobs/queues/{queue}/clean', { ...queue(queueName), body }),
    schedulers: (o: Opts = {}) => http.call('GET /api/admin/jobs/schedulers', o),
    audit: (query: Query<'GET /api/admin/jobs/audit'> = {}, o: Opts = {}) => http.call('GET /api/admin/jobs/audit', { query, ...o }),
    searchIndexRuns: (o: Opts = {}) => http.call('GET /api/admin/jobs/search-index/runs', o),
    reindex: () => http.call('POST /api/admin/jobs/search-index/reindex'),
    runDigest: (body: BodyOf<'POST /api/admin/jobs/digests/run'>) => http.call('POST /api/admin/jobs/digests/run', { body }),
    runAggregation: (body: BodyOf<'POST /api/admin/jobs/aggregation/run'>) => http.call('POST /api/admin/jobs/aggregation/run', { body }),
    emails: (query: Query<'GET /api/admin/emails'> = {}, o: Opts = {}) => http.call('GET /api/admin/emails', { query, ...o }),
    missingPreviews: (query: Query<'GET /api/admin/jobs/previews'> = {}, o: Opts = {}) => http.call('GET /api/admin/jobs/previews', { query, ...o }),
    runPreviews: (body: BodyOf<'POST /api/admin/jobs/previews/run'>) => http.call('POST /api/admin/jobs/previews/run', { body }),
  };
}

/** Users and notifications created by admins. */
export function adminApi(http: HttpClient) {
  return {
    createUser: (body: BodyOf<'POST /api/admin/users'>) => http.call('POST /api/admin/users', { body }),
    notify: (body: BodyOf<'POST /api/admin/notifications'>) => http.call('POST /api/admin/notifications', { body }),
    notificationBatch: (id: string) => http.call('GET /api/admin/notifications/batches/{id}', { params: { id } }),
  };
}

export function authApi(http: HttpClient) {
  return {
    login: (email: string, password: string) => http.call('POST /api/auth/login', { body: { email, password } }),
    logout: () => http.call('POST /api/auth/logout'),
    me: (o: Opts = {}) => http.call('GET /api/auth/me', o),
    /** Signs out every other session of the user; the answer carries the caller's fresh token. */
    changePassword: (currentPassword: string, newPassword: string) => http.call('POST /api/auth/password', { body: { currentPassword, newPassword } }),
  };
}

type ResourcePath = '/api/creators' | '/api/brands' | '/api/projects' | '/api/assets' | '/api/licenses' | '/api/blog/posts';

/** The five routes of one catalog resource (and of blog posts). */
export interface Resource<P extends ResourcePath> {
  list(query?: Query<`GET ${P}`>, o?: Opts): Promise<ResponseOf<`GET ${P}`>>;
  create(body: BodyOf<`POST ${P}`>): Promise<ResponseOf<`POST ${P}`>>;
  get(id: string, o?: Opts): Promise<ResponseOf<`GET ${P}/{id}`>>;
  update(id: string, body: BodyOf<`PATCH ${P}/{id}`>): Promise<ResponseOf<`PATCH ${P}/{id}`>>;
  delete(id: string): Promise<ResponseOf<`DELETE ${P}/{id}`>>;
}

function resource<P extends ResourcePath>(http: HttpClient, path: P): Resource<P> {
  // One implementation for five paths; the interface above keeps each typed.
  const call = http.call.bind(http) as unknown as (operation: string, input?: object) => Promise<never>;
  return {
    list: (query, o = {}) => call(`GET ${path}`, { query, ...o }),
    create: (body) => call(`POST ${path}`, { body }),
    get: (id, o = {}) => call(`GET ${path}/{id}`, { params: { id }, ...o }),
    update: (id, body) => call(`PATCH ${path}/{id}`, { params: { id }, body }),
    delete: (id) => call(`DELETE ${path}/{id}`, { params: { id } }),
  };
}

type Size = 200 | 400 | 800;

/** An asset's files: upload (multipart) and the URLs of the original, thumbnails and preview. */
function assetFiles(http: HttpClient) {
  const url = (id: string, file: string, query = '') => http.url(`/api/assets/${encodeURIComponent(id)}/${file}${query}`);
  return {
    upload: (id: string, file: Blob, fileName?: string): Promise<ResponseOf<'POST /api/assets/{id}/file'>> => {
      const form = new FormData();
      form.append('file', file, fileName);
      return (http.call as unknown as (op: string, input: object) => Promise<never>)('POST /api/assets/{id}/file', { params: { id }, body: form });
    },
    fileUrl: (id: string) => url(id, 'file'),
    thumbnailUrl: (id: string, size?: Size) => url(id, 'thumbnail', size ? `?size=${size}` : ''),
    previewUrl: (id: string) => url(id, 'preview'),
  };
}

export function catalogApi(http: HttpClient) {
  return {
    creators: resource(http, '/api/creators'),
    brands: resource(http, '/api/brands'),
    projects: resource(http, '/api/projects'),
    assets: { ...resource(http, '/api/assets'), ...assetFiles(http), bulkCreate: (body: BodyOf<'POST /api/assets/bulk'>) => http.call('POST /api/assets/bulk', { body }) },
    licenses: resource(http, '/api/licenses'),
  };
}

/** Blog posts and their scheduled publication. */
export function blogApi(http: HttpClient) {
  return {
    posts: resource(http, '/api/blog/posts'),
    schedule: (id: string, publishAt: string) => http.call('POST /api/blog/posts/{id}/schedule', { params: { id }, body: { publishAt } }),
    unschedule: (id: string) => http.call('DELETE /api/blog/posts/{id}/schedule', { params: { id } }),
    scheduled: (query: Query<'GET /api/admin/jobs/blog/scheduled'> = {}) => http.call('GET /api/admin/jobs/blog/scheduled', { query }),
  };
}

export function searchApi(http: HttpClient) {
  return {
    unified: (query: Query<'GET /api/search/unified'>, o: Opts = {}) => http.call('GET /api/search/unified', { query, ...o }),
    assets: (query: Query<'GET /api/search/assets'>, o: Opts = {}) => http.call('GET /api/search/assets', { query, ...o }),
    creators: (query: Query<'GET /api/search/creators'>, o: Opts = {}) => http.call('GET /api/search/creators', { query, ...o }),
    projects: (query: Query<'GET /api/search/projects'>, o: Opts = {}) => http.call('GET /api/search/projects', { query, ...o }),
  };
}

export function analyticsApi(http: HttpClient) {
  type Range = Query<'GET /api/analytics/platform/overview'>;
  return {
    ingest: (body: BodyOf<'POST /api/analytics/events'>) => http.call('POST /api/analytics/events', { body }),
    platformOverview: (query: Range = {}) => http.call('GET /api/analytics/platform/overview', { query }),
    platformAssets: (query: Range = {}) => http.call('GET /api/analytics/platform/assets', { query }),
    platformProjects: (query: Range = {}) => http.call('GET /api/analytics/platform/projects', { query }),
    brand: (brandId: string, query: Range = {}) => http.call('GET /api/analytics/brand/{brandId}', { params: { brandId }, query }),
    creator: (creatorId: string, query: Range = {}) => http.call('GET /api/analytics/creator/{creatorId}', { params: { creatorId }, query }),
  };
}
