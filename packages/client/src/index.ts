import { adminApi, adminJobsApi, analyticsApi, authApi, blogApi, catalogApi, notificationApi, searchApi } from './apis.js';
import { HttpClient, type ClientOptions } from './http.js';
import { subscribe, type SubscribeOptions, type Subscription } from './subscribe.js';

export { adminApi, adminJobsApi, analyticsApi, authApi, blogApi, catalogApi, notificationApi, searchApi, type Resource } from './apis.js';
export { ApiError, isApiError, parseRateLimit, parseRetryAfter, type ApiErrorKind, type RateLimitInfo } from './errors.js';
export { formatBadgeCount, formatNotificationTime, getNotificationIcon, getPriorityColor } from './helpers.js';
export { HttpClient, type CallResult, type ClientOptions, type RetryOptions } from './http.js';
export type { BodyOf, CallInput, DataOf, OperationKey, ResponseOf } from './operations.js';
export { readSse, subscribe, type StreamStatus, type SubscribeOptions, type Subscription } from './subscribe.js';
export * from './types.js';
export type { components, operations, paths } from './generated.js';

/** One client: every group of the API over one transport. */
export function createHeraldClient(options: ClientOptions = {}) {
  const http = new HttpClient(options);
  return {
    http,
    /** Any operation by key, e.g. `call('GET /api/blog/posts', { query: { status: 'DRAFT' } })`. */
    call: http.call.bind(http) as HttpClient['call'],
    auth: authApi(http),
    notifications: notificationApi(http),
    adminJobs: adminJobsApi(http),
    admin: adminApi(http),
    catalog: catalogApi(http),
    blog: blogApi(http),
    search: searchApi(http),
    analytics: analyticsApi(http),
    /** The live inbox over Server-Sent Events, with reconnects and a polling fallback. */
    subscribe: (opts?: SubscribeOptions): Subscription => subscribe(http, opts),
  };
}

export type HeraldClient = ReturnType<typeof createHeraldClient>;
