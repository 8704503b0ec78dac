/**
 * Types of the herald API, generated from GET /api/openapi.json by `npm run openapi:types`
 * (openapi-typescript). Do not edit: test/client/generated.test.ts fails when this file differs
 * from the document the current code serves.
 */
export interface paths {
    "/api/admin/emails": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The email log (bodies of captured emails)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminEmails"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/emails/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Emails of the last hours by outcome and transport
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminEmailsSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/emails/suppressions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Suppressed addresses (newest first)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminEmailsSuppressions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/emails/suppressions/{email}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Lift a suppression: the address is mailed again (audited)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        delete: operations["deleteAdminEmailsSuppressionsEmail"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/{queueName}/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One job with data, logs and stack
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsQueueNameJobId"];
        put?: never;
        post?: never;
        /**
         * Remove a job (not an active one, nor a schedule's next run)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        delete: operations["deleteAdminJobsQueueNameJobId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/{queueName}/{jobId}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry a failed job
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueueNameJobIdRetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/aggregation/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Analytics aggregation run log
         * @description startDate filters periodStartDate >=, endDate periodEndDate <=; newest first.
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsAggregationLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/aggregation/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Roll up one period now
         * @description periodStart must start a period of jobType and the period must be over.
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsAggregationRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Audit log of admin job operations
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/blog/scheduled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Scheduled posts by publication time, with their job's state
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsBlogScheduled"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/digests/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a digest now, as if the clock read `at`
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsDigestsRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health of every job group, Redis and PostgreSQL
         * @description ADMIN only. Also `Authorization: Bearer <MONITORING_TOKEN>` (a health check's credential, no session). Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/notifications/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Delivery queue counts and digest runs
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsNotificationsStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/previews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Video and audio assets missing a preview
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsPreviews"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/previews/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Re-run the preview of one asset, or of every one missing
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsPreviewsRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every queue: counts, workers, last hour
         * @description ADMIN only. Also `Authorization: Bearer <MONITORING_TOKEN>` (a health check's credential, no session). Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsQueues"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry, remove or promote the jobs a count matched, one step at a time
         * @description Takes only jobs that matched at `asOf` (failed or completed ones finished by then, others created by then), at most JOB_BULK_PAGE_SIZE per request and never more than `expected` in all; while `done` is false, send `cursor` back with the same body. Each request is audited (queue.bulk.<action>).
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueuesQueueBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/bulk/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Count the jobs of a queue in one state that match a filter
         * @description Reads at most 10 pages of JOB_BULK_PAGE_SIZE jobs per request; while `complete` is false, send `cursor` and `asOf` back for the rest. Nothing changes.
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueuesQueueBulkCount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/clean": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove old jobs in one state
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueuesQueueClean"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Jobs of a queue in one state
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsQueuesQueueJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job metrics of a queue over time (minute, hour or day buckets)
         * @description Completed, failed, throughput and wait/run time p50/p95/p99 per bucket, rolled up from job history (minute buckets kept JOB_METRICS_MINUTE_HOURS, hourly JOB_METRICS_HOUR_DAYS, daily JOB_METRICS_DAY_MONTHS). queue `all`: every queue together. from/to: ISO instants or dates (UTC), aligned outward to whole buckets; without to, up to the start of the current bucket (closed buckets only); without from, the default span before to (minute 1 h, hour 24 h, day 720 h); at most 2200 buckets.
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsQueuesQueueMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a queue
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueuesQueuePause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run delayed jobs now (not schedules)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueuesQueuePromote"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a queue
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueuesQueueResume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/queues/{queue}/retry-failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry every failed job of a queue
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsQueuesQueueRetryFailed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/schedulers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recurring schedules and their next run
         * @description ADMIN only. Also `Authorization: Bearer <MONITORING_TOKEN>` (a health check's credential, no session). Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsSchedulers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/schedulers/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a schedule: its scheduler is removed until resumed (idempotent)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsSchedulersIdPause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/schedulers/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a schedule: next run from now, skipped runs not made up (idempotent)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsSchedulersIdResume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/schedulers/{id}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a schedule once now, paused or not (one waiting run at most)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsSchedulersIdRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/schedulers/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The last 20 runs of a schedule, newest first (live ones first)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsSchedulersIdRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search jobs: live ones in every queue and job history
         * @description Newest first (history by finish time, live jobs by their timestamp), with facets by queue and state. A job id is looked up in every queue; text is matched against job history (full text and substring, indexed) and the newest JOB_SEARCH_LIVE_SCAN jobs of each queue and live state (`live` says how many were read and whether some were not). History matches past JOB_SEARCH_COUNT_CAP (2,000) are not counted: `totalExact` is then false.
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsSearch"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/search-index/reindex": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a full reindex (joins one waiting or running)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminJobsSearchIndexReindex"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/search-index/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The last reindex runs and the drift each repaired
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsSearchIndexRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/search-index/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search index queue counts
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsSearchIndexStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live worker processes
         * @description ADMIN only. Also `Authorization: Bearer <MONITORING_TOKEN>` (a health check's credential, no session). Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminJobsWorkers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Find notifications by id, user id or user email (exactly one), newest first
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminNotifications"];
        put?: never;
        /**
         * Notify users, a role or everyone
         * @description Exactly one target. Repeating an idempotencyKey creates nothing more.
         *
         *     ADMIN only.
         */
        post: operations["postAdminNotifications"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/notifications/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One notification's life in time order: created, relayed, seen, read, emailed, delivered or bounced
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminNotificationsIdTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/notifications/batches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recent notification batches, newest first
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminNotificationsBatches"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/notifications/batches/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Progress of a notification fan-out
         * @description ADMIN only.
         */
        get: operations["getAdminNotificationsBatchesId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/notifications/batches/{id}/recall": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Recall a batch: hide its notifications, stop its fan-out, cancel its emails not yet claimed
         * @description Answers once no email of the batch can go out any more (it waits for emails already in hand-off, at most EMAIL_LEASE_MS), with the batch, status `recalled`, and `recall`: what was and was not stopped. Recalling a recalled batch answers its recall again. Audited.
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminNotificationsBatchesIdRecall"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/notifications/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What a broadcast would do, without doing it
         * @description The body of POST /api/admin/notifications, validated alike. Counts the users it would reach and how many would be emailed now, held for quiet hours, put in a digest or not emailed, by the delivery's own rules. Creates nothing; the idempotencyKey is not used up.
         *
         *     ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminNotificationsPreview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a user
         * @description ADMIN only.
         */
        post: operations["postAdminUsers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Webhook endpoints
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminWebhooks"];
        put?: never;
        /**
         * Register a webhook endpoint (its secret is in this answer only)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminWebhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A webhook endpoint
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminWebhooksId"];
        put?: never;
        post?: never;
        /**
         * Delete a webhook endpoint and its deliveries
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        delete: operations["deleteAdminWebhooksId"];
        options?: never;
        head?: never;
        /**
         * Change a webhook endpoint (URL, events, secret, enabled)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        patch: operations["patchAdminWebhooksId"];
        trace?: never;
    };
    "/api/admin/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Deliveries of an endpoint, newest first, with every attempt
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        get: operations["getAdminWebhooksIdDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks/{id}/deliveries/{deliveryId}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a delivered or failed delivery again (same delivery id)
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminWebhooksIdDeliveriesDeliveryIdReplay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a webhook.test event to this endpoint
         * @description ADMIN only. Rate limit `admin.jobs` (per user per minute).
         */
        post: operations["postAdminWebhooksIdTest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/analytics/brand/{brandId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A brand's figures
         * @description ADMIN, or the user the brand or creator profile belongs to (another's → 403, unknown → 404). startDate/endDate: whole UTC days (default the last 30), at most 730 days, not in the future; granularity hour covers at most 31 days; limit: length of `top`.
         *
         *     Any signed-in user. Rate limit `analytics.read` (per user per minute).
         */
        get: operations["getAnalyticsBrandBrandId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/analytics/creator/{creatorId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A creator's figures
         * @description ADMIN, or the user the brand or creator profile belongs to (another's → 403, unknown → 404). startDate/endDate: whole UTC days (default the last 30), at most 730 days, not in the future; granularity hour covers at most 31 days; limit: length of `top`.
         *
         *     Any signed-in user. Rate limit `analytics.read` (per user per minute).
         */
        get: operations["getAnalyticsCreatorCreatorId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/analytics/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ingest up to 500 events (202 once durable)
         * @description Any signed-in user, or a server-side producer with the `X-Analytics-Key` header. All or nothing; events repeating an idempotencyKey (per producer) are ignored. A non-admin user sends interaction events only (no `license_created`, no `props.revenueCents`: 403) about assets, projects, licenses and posts they can see (else 400); their brandId, creatorId and projectId are derived from the named entity, never taken from the body. Keyed producers and admins are trusted as sent. `revenueCents` is 0 to 1,000,000,000. Each user may send ANALYTICS_USER_EVENTS_PER_HOUR events per hour (429 past it).
         *
         *     No sign-in needed.
         */
        post: operations["postAnalyticsEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/analytics/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The analytics part of this document
         * @description No sign-in needed.
         */
        get: operations["getAnalyticsOpenapiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/analytics/platform/assets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Platform figures with the most viewed assets
         * @description ADMIN only. startDate/endDate: whole UTC days (default the last 30), at most 730 days, not in the future; granularity hour covers at most 31 days; limit: length of `top`.
         *
         *     ADMIN only. Rate limit `analytics.read` (per user per minute).
         */
        get: operations["getAnalyticsPlatformAssets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/analytics/platform/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Platform figures
         * @description ADMIN only. startDate/endDate: whole UTC days (default the last 30), at most 730 days, not in the future; granularity hour covers at most 31 days; limit: length of `top`.
         *
         *     ADMIN only. Rate limit `analytics.read` (per user per minute).
         */
        get: operations["getAnalyticsPlatformOverview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/analytics/platform/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Platform figures with the most viewed projects
         * @description ADMIN only. startDate/endDate: whole UTC days (default the last 30), at most 730 days, not in the future; granularity hour covers at most 31 days; limit: length of `top`.
         *
         *     ADMIN only. Rate limit `analytics.read` (per user per minute).
         */
        get: operations["getAnalyticsPlatformProjects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/assets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List assets visible to the caller
         * @description Any signed-in user.
         */
        get: operations["getAssets"];
        put?: never;
        /**
         * Create a asset
         * @description Any signed-in user.
         */
        post: operations["postAssets"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/assets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a asset
         * @description Any signed-in user.
         */
        get: operations["getAssetsId"];
        put?: never;
        post?: never;
        /**
         * Delete a asset
         * @description Any signed-in user.
         */
        delete: operations["deleteAssetsId"];
        options?: never;
        head?: never;
        /**
         * Update a asset
         * @description Any signed-in user.
         */
        patch: operations["patchAssetsId"];
        trace?: never;
    };
    "/api/assets/{id}/file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the original file (owner and admins)
         * @description Any signed-in user.
         */
        get: operations["getAssetsIdFile"];
        put?: never;
        /**
         * Upload an asset's file (multipart, one file part)
         * @description The asset's creator or an admin. Typed by its bytes; then scanned, thumbnailed and previewed by jobs.
         *
         *     Any signed-in user.
         */
        post: operations["postAssetsIdFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/assets/{id}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The preview clip (video 10 s, audio 30 s)
         * @description Any signed-in user.
         */
        get: operations["getAssetsIdPreview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/assets/{id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A WebP thumbnail (200, 400 or 800 px wide)
         * @description Any signed-in user.
         */
        get: operations["getAssetsIdThumbnail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/assets/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create up to 1,000 assets in one transaction
         * @description Any signed-in user.
         */
        post: operations["postAssetsBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in
         * @description Sets the HttpOnly session cookie and returns the same token for `Authorization: Bearer`. Limited per IP and per email and IP (docs/OPERATIONS.md, Login throttling).
         *
         *     No sign-in needed.
         */
        post: operations["postAuthLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign out (revokes the session everywhere)
         * @description Any signed-in user.
         */
        post: operations["postAuthLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in user
         * @description Any signed-in user.
         */
        get: operations["getAuthMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change the password (signs out every session)
         * @description Checks `currentPassword` (wrong ones count as failed sign-ins of the account), sets `newPassword` (8+ characters, not the current one, not the email), revokes every session of the user in every API process, and answers with a new session (also set as the cookie).
         *
         *     Any signed-in user.
         */
        post: operations["postAuthPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/blog/posts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List posts visible to the caller
         * @description Any signed-in user. Rate limit `blog.read` (per user per minute).
         */
        get: operations["getBlogPosts"];
        put?: never;
        /**
         * Create a post
         * @description announcement: true (a BLOG notification, and email, to every user once the post is published by its schedule, once in the post's life) is for admins only: anyone else gets 403, and while an announcement has not gone out only an admin edits its text. assigneeId must be an ADMIN or the post's author (another user: 400).
         *
         *     Any signed-in user. Rate limit `blog.write` (per user per minute).
         */
        post: operations["postBlogPosts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/blog/posts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a post
         * @description Any signed-in user. Rate limit `blog.read` (per user per minute).
         */
        get: operations["getBlogPostsId"];
        put?: never;
        post?: never;
        /**
         * Delete a post
         * @description Any signed-in user. Rate limit `blog.write` (per user per minute).
         */
        delete: operations["deleteBlogPostsId"];
        options?: never;
        head?: never;
        /**
         * Update a post
         * @description announcement: true (a BLOG notification, and email, to every user once the post is published by its schedule, once in the post's life) is for admins only: anyone else gets 403, and while an announcement has not gone out only an admin edits its text. assigneeId must be an ADMIN or the post's author (another user: 400).
         *
         *     Any signed-in user. Rate limit `blog.write` (per user per minute).
         */
        patch: operations["patchBlogPostsId"];
        trace?: never;
    };
    "/api/blog/posts/{id}/schedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Schedule (or move) a post's publication
         * @description A DRAFT or SCHEDULED post; another status is a 400.
         *
         *     Any signed-in user. Rate limit `blog.write` (per user per minute).
         */
        post: operations["postBlogPostsIdSchedule"];
        /**
         * Unschedule a post (back to DRAFT)
         * @description A SCHEDULED post; another status is a 400.
         *
         *     Any signed-in user. Rate limit `blog.write` (per user per minute).
         */
        delete: operations["deleteBlogPostsIdSchedule"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/brands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List brands visible to the caller
         * @description Any signed-in user.
         */
        get: operations["getBrands"];
        put?: never;
        /**
         * Create a brand
         * @description Any signed-in user.
         */
        post: operations["postBrands"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/brands/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a brand
         * @description Any signed-in user.
         */
        get: operations["getBrandsId"];
        put?: never;
        post?: never;
        /**
         * Delete a brand
         * @description Any signed-in user.
         */
        delete: operations["deleteBrandsId"];
        options?: never;
        head?: never;
        /**
         * Update a brand
         * @description Any signed-in user.
         */
        patch: operations["patchBrandsId"];
        trace?: never;
    };
    "/api/creators": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List creators visible to the caller
         * @description Any signed-in user.
         */
        get: operations["getCreators"];
        put?: never;
        /**
         * Create a creator
         * @description Any signed-in user.
         */
        post: operations["postCreators"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/creators/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a creator
         * @description Any signed-in user.
         */
        get: operations["getCreatorsId"];
        put?: never;
        post?: never;
        /**
         * Delete a creator
         * @description Any signed-in user.
         */
        delete: operations["deleteCreatorsId"];
        options?: never;
        head?: never;
        /**
         * Update a creator
         * @description Any signed-in user.
         */
        patch: operations["patchCreatorsId"];
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * PostgreSQL and Redis reachability (503 naming what is down)
         * @description No sign-in needed.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/licenses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List licenses visible to the caller
         * @description Any signed-in user.
         */
        get: operations["getLicenses"];
        put?: never;
        /**
         * Create a license
         * @description Any signed-in user.
         */
        post: operations["postLicenses"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/licenses/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a license
         * @description Any signed-in user.
         */
        get: operations["getLicensesId"];
        put?: never;
        post?: never;
        /**
         * Delete a license
         * @description Any signed-in user.
         */
        delete: operations["deleteLicensesId"];
        options?: never;
        head?: never;
        /**
         * Update a license
         * @description Any signed-in user.
         */
        patch: operations["patchLicensesId"];
        trace?: never;
    };
    "/api/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the caller's notifications
         * @description Unread first, then URGENT > HIGH > MEDIUM > LOW, then newest (ties by id).
         *
         *     Any signed-in user. Rate limit `notifications.list` (per user per minute).
         */
        get: operations["getNotifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete one notification
         * @description Any signed-in user.
         */
        delete: operations["deleteNotificationsId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Archive one notification (out of the feed and of every count)
         * @description Any signed-in user. Rate limit `notifications.update` (per user per minute).
         */
        post: operations["postNotificationsIdArchive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark one notification read
         * @description Keeps the first readAt of an already-read notification.
         *
         *     Any signed-in user. Rate limit `notifications.markRead` (per user per minute).
         */
        post: operations["postNotificationsIdRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/snooze": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Snooze one notification
         * @description Hidden from lists and counts until `until` (in the future, at most 90 days); then back unread and unseen at the top of its priority band, and open streams hear it.
         *
         *     Any signed-in user. Rate limit `notifications.update` (per user per minute).
         */
        post: operations["postNotificationsIdSnooze"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/unarchive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Bring an archived notification back to the feed
         * @description Any signed-in user. Rate limit `notifications.update` (per user per minute).
         */
        post: operations["postNotificationsIdUnarchive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/unread": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark one notification unread
         * @description Any signed-in user. Rate limit `notifications.update` (per user per minute).
         */
        post: operations["postNotificationsIdUnread"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/unsnooze": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End a snooze now
         * @description Back at the top of its priority band; a notification not snoozed is answered as it is.
         *
         *     Any signed-in user. Rate limit `notifications.update` (per user per minute).
         */
        post: operations["postNotificationsIdUnsnooze"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * One action on up to 100 notifications
         * @description Ids of other users (or of none) count as not found, not as an error. `count` is how many changed.
         *
         *     Any signed-in user. Rate limit `notifications.bulk` (per user per minute).
         */
        post: operations["postNotificationsBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read notification preferences (defaults if never saved)
         * @description Any signed-in user. Rate limit `notifications.preferences.get` (per user per minute).
         */
        get: operations["getNotificationsPreferences"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update notification preferences
         * @description Any signed-in user. Rate limit `notifications.preferences.update` (per user per minute).
         */
        patch: operations["patchNotificationsPreferences"];
        trace?: never;
    };
    "/api/notifications/read-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark every notification read
         * @description But those snoozed into the future: they come back unread.
         *
         *     Any signed-in user. Rate limit `notifications.readAll` (per user per minute).
         */
        post: operations["postNotificationsReadAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/seen-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark the feed seen (the bell was opened)
         * @description Unread notifications of the feed never shown become seen; read state is unchanged.
         *
         *     Any signed-in user. Rate limit `notifications.seenAll` (per user per minute).
         */
        post: operations["postNotificationsSeenAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live inbox (Server-Sent Events)
         * @description Any signed-in user. Rate limit `notifications.stream` (per user per minute).
         */
        get: operations["getNotificationsStream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/unread-count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Count unread notifications
         * @description Of the feed: archived, snoozed and expired ones count in nothing. `unseen` and `byType` are beyond the original contract.
         *
         *     Any signed-in user. Rate limit `notifications.unreadCount` (per user per minute).
         */
        get: operations["getNotificationsUnreadCount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/unsubscribe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Unsubscribe confirmation page (emails link here)
         * @description No sign-in needed.
         */
        get: operations["getNotificationsUnsubscribe"];
        put?: never;
        /**
         * RFC 8058 one-click unsubscribe: email off
         * @description The signed token is the authority. Answers HTML when the request accepts text/html.
         *
         *     No sign-in needed.
         */
        post: operations["postNotificationsUnsubscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This OpenAPI 3.1 document
         * @description No sign-in needed.
         */
        get: operations["getOpenapiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List projects visible to the caller
         * @description Any signed-in user.
         */
        get: operations["getProjects"];
        put?: never;
        /**
         * Create a project
         * @description Any signed-in user.
         */
        post: operations["postProjects"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/projects/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a project
         * @description Any signed-in user.
         */
        get: operations["getProjectsId"];
        put?: never;
        post?: never;
        /**
         * Delete a project
         * @description Any signed-in user.
         */
        delete: operations["deleteProjectsId"];
        options?: never;
        head?: never;
        /**
         * Update a project
         * @description Any signed-in user.
         */
        patch: operations["patchProjectsId"];
        trace?: never;
    };
    "/api/search/assets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search assets
         * @description Any signed-in user. Rate limit `search` (per user per minute).
         */
        get: operations["getSearchAssets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/search/creators": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search creators
         * @description Any signed-in user. Rate limit `search` (per user per minute).
         */
        get: operations["getSearchCreators"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/search/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search projects
         * @description Any signed-in user. Rate limit `search` (per user per minute).
         */
        get: operations["getSearchProjects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/search/unified": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search every entity type the caller may see
         * @description Any signed-in user. Rate limit `search` (per user per minute).
         */
        get: operations["getSearchUnified"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/email/{provider}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Bounce, complaint and delivery reports from an email provider (ses, postmark, generic)
         * @description ses: Amazon SES events through an SNS HTTPS subscription (the SNS signature is the authority; subscriptions are confirmed). postmark: Postmark webhooks with HTTP Basic credentials (password = EMAIL_WEBHOOK_SECRET) or X-Herald-Webhook-Secret. generic: `{ id?, type, email, messageId, permanent, at, detail? }` signed with `X-Herald-Signature: sha256=<HMAC-SHA256 hex of the raw body>`. A permanent bounce or a complaint suppresses the address; a repeated event changes nothing. postmark and generic answer 404 while EMAIL_WEBHOOK_SECRET is unset.
         *
         *     No sign-in needed. Rate limit `email.webhooks` (per user per minute).
         */
        post: operations["postWebhooksEmailProvider"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics of this process
         * @description This process's own series: scrape every process. Queue depths, the same from every process, are at /metrics/queues. Needs `Authorization: Bearer <METRICS_TOKEN or MONITORING_TOKEN>` when either is set.
         *
         *     No sign-in needed.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Queue depths of the whole cluster (herald_queue_jobs)
         * @description The same answer from every process (BullMQ's counters in Redis): scrape it once, through the load balancer, not per process. Needs `Authorization: Bearer <METRICS_TOKEN or MONITORING_TOKEN>` when either is set.
         *
         *     No sign-in needed.
         */
        get: operations["getMetricsQueues"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AdminNotification: {
            archivedAt: string | null;
            batchId: string | null;
            /** @description ISO 8601, UTC */
            createdAt: string;
            critical: boolean;
            expiresAt: string | null;
            id: string;
            priority: string;
            readAt: string | null;
            seenAt: string | null;
            snoozedUntil: string | null;
            title: string;
            type: string;
            userEmail: string;
            userId: string;
        };
        /** @enum {string} */
        AssetType: "IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" | "THREE_D" | "OTHER";
        AuditEntry: {
            action: string;
            adminEmail: string | null;
            adminId: string | null;
            /** @description ISO 8601, UTC */
            createdAt: string;
            details: unknown;
            id: string;
            jobId: string | null;
            queue: string | null;
        };
        BlogPost: {
            announcement: boolean;
            assigneeId: string | null;
            authorId: string;
            content: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            excerpt: string;
            id: string;
            publishAt: string | null;
            publishedAt: string | null;
            /** @enum {string} */
            status: "DRAFT" | "SCHEDULED" | "PUBLISHED" | "ARCHIVED";
            title: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
            version: number;
        };
        Brand: {
            companyName: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            id: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
            userId: string;
            /** @description increases with every change */
            version: number;
        };
        BulkCount: {
            /** @description the moment the count is of; send it with the bulk operation */
            asOf: string;
            complete: boolean;
            /** @description matches so far (all of them once complete) */
            count: number;
            /** @description null once the scan is over; else send it back with the same parameters to go on */
            cursor: string | null;
            /** @description the first matches in scan order (oldest first; the wait list newest first), up to 5 over all steps: this step's share */
            sample: components["schemas"]["BulkSample"][];
        };
        BulkFilterInput: {
            /** @description case-insensitive part of the job's data as JSON */
            data?: string;
            /** @description the job name, exactly */
            name?: string;
            /** @description only jobs finished (failed, completed) or created (other states) at least this long before asOf */
            olderThanMs?: number;
            /** @description case-insensitive part of the failure reason (plain text, not a pattern) */
            reason?: string;
        };
        BulkSample: {
            createdAt: string | null;
            failedReason: string | null;
            finishedAt: string | null;
            id: string;
            name: string;
        };
        BulkStep: {
            /** @description jobs this step retried, removed or promoted */
            acted: number;
            /** @description null once the scan is over; else send it back with the same parameters to go on */
            cursor: string | null;
            done: boolean;
            /** @description the scan met a match beyond `expected` and stopped there (left alone) */
            moreThanExpected: boolean;
            /** @description of the expected matches, how many the scan has not reached yet */
            remaining: number;
            /** @description matches of this step that moved meanwhile (another admin, a worker, a retry by hand): left alone */
            skipped: number;
            /** @description over every step so far */
            total: {
                acted: number;
                skipped: number;
            };
        };
        Creator: {
            bio: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            id: string;
            specialties: string[];
            stageName: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
            userId: string;
            /** @description increases with every change */
            version: number;
        };
        /** @enum {string} */
        DigestFrequency: "IMMEDIATE" | "DAILY" | "WEEKLY" | "NEVER";
        Email: {
            attempts: number;
            /** @description ISO 8601, UTC */
            createdAt: string;
            error: string | null;
            headers: unknown;
            html: string | null;
            id: string;
            key: string;
            /** @enum {string} */
            kind: "notification" | "digest";
            messageId: string;
            notificationId: string | null;
            sentAt: string | null;
            status: string;
            subject: string;
            text: string | null;
            to: string;
            userId: string | null;
        };
        EmailSummary: {
            /** @description sending, sent, captured, failed, suppressed */
            byStatus: {
                [key: string]: number;
            };
            /** @description smtp-1, smtp-2, …, captured; 'none' for emails no transport took */
            byTransport: {
                [key: string]: number;
            };
            hours: number;
            rows: {
                count: number;
                status: string;
                transport: string | null;
            }[];
            /** @description ISO 8601, UTC */
            since: string;
            total: number;
        };
        EmailSuppression: {
            /** @description ISO 8601, UTC */
            createdAt: string;
            /** @description the SMTP answer or the provider diagnostic */
            detail: string | null;
            email: string;
            messageId: string | null;
            /** @enum {string} */
            reason: "hard-bounce" | "complaint";
            /** @description 'smtp' (a permanent refusal at hand-off) or the reporting provider: 'ses', 'postmark', 'generic' */
            source: string;
            userId: string | null;
        };
        ErrorBody: {
            /** @description validation issues (array of { code, path, message }) on 400 */
            details?: unknown;
            error: string;
            /** @constant */
            success: false;
        };
        IpAsset: {
            /** @description ISO 8601, UTC */
            createdAt: string;
            creatorId: string;
            description: string;
            fileSize: number | null;
            id: string;
            /** @description previewGenerated, previewGeneratedAt, previewError, previewLastAttempt, previewSize, previewDuration are set by the preview jobs */
            metadata: {
                [key: string]: unknown;
            } | null;
            mimeType: string | null;
            previewUrl: string | null;
            projectId: string | null;
            /** @enum {string} */
            scanStatus: "PENDING" | "SCANNING" | "CLEAN" | "INFECTED" | "ERROR";
            /** @enum {string} */
            status: "DRAFT" | "PUBLISHED" | "ARCHIVED";
            storageKey: string | null;
            tags: string[];
            thumbnailUrl: string | null;
            title: string;
            type: components["schemas"]["AssetType"];
            /** @description ISO 8601, UTC */
            updatedAt: string;
            /** @description increases with every change */
            version: number;
        };
        JobDetail: {
            attemptsMade: number;
            data: unknown;
            delay: number;
            failedReason: string | null;
            finishedOn: number | null;
            id?: string;
            logs: string[];
            name: string;
            opts: {
                [key: string]: unknown;
            };
            processedOn: number | null;
            progress: unknown;
            returnValue: unknown;
            stacktrace: string[];
            state: string | null;
            /** @description ms since the epoch */
            timestamp: number;
        };
        /** @description plus one WorkerHealth per group: email, analytics, search, blog, … */
        JobHealth: {
            /** @description set when Redis is unreachable (groups unknown) */
            error?: string;
            /** @description true only if Redis, PostgreSQL and every group are */
            healthy: boolean;
            postgres: {
                healthy: boolean;
            };
            /** @description DATABASE_READ_URL only; does not make `healthy` false, since reads fall back to the primary */
            postgresReplica?: {
                /** @description reachable with lag within DATABASE_READ_MAX_LAG_MS; when false, lag-tolerant reads go to the primary */
                healthy: boolean;
                /** @description replay lag at the last check (null: unknown or unreachable) */
                lagMs: number | null;
                maxLagMs: number;
                reachable: boolean | null;
            };
            redis: {
                healthy: boolean;
            };
        } & {
            [key: string]: components["schemas"]["WorkerHealth"];
        };
        JobMetricsSeries: {
            /** @description every bucket of [from, to), oldest first; one without jobs is zero with null percentiles */
            buckets: components["schemas"]["MetricsBucket"][];
            /** @description the first bucket's start */
            from: string;
            /** @enum {string} */
            granularity: "minute" | "hour" | "day";
            queue: components["schemas"]["MetricsQueue"];
            /** @description the last bucket's end */
            to: string;
        };
        JobSearchHit: {
            attemptsMade: number;
            /** @description the start of its data as JSON (… when cut) */
            dataPreview: string | null;
            /** @description its last run, start to finish */
            durationMs: number | null;
            failedReason: string | null;
            finishedOn: number | null;
            id: string;
            name: string;
            processedOn: number | null;
            queue: string;
            scheduleId: string | null;
            /** @enum {string} */
            source: "live" | "history";
            /** @enum {string} */
            state: "completed" | "failed" | "waiting" | "active" | "delayed" | "prioritized" | "waiting-children";
            /** @description when the job was added (live) or due (history: timestamp + delay) */
            timestamp: number;
            worker: string | null;
        };
        JobSearchPage: {
            data: components["schemas"]["JobSearchHit"][];
            /** @description counts of the matches counted (see totalExact) */
            facets: {
                queue: {
                    [key: string]: number;
                };
                state: {
                    [key: string]: number;
                };
            };
            live: {
                /** @description live jobs read for a text match */
                scanned: number;
                /** @description some queue held more jobs in a live state than JOB_SEARCH_LIVE_SCAN: older ones were not read */
                truncated: boolean;
            };
            pagination: components["schemas"]["Pagination"];
            /** @constant */
            success: true;
            /** @description false: more than JOB_SEARCH_COUNT_CAP (2,000) history rows matched (total and facets count the newest that many), or the live scan was truncated */
            totalExact: boolean;
        };
        JobSummary: {
            attemptsMade: number;
            failedReason: string | null;
            finishedOn: number | null;
            id?: string;
            name: string;
            processedOn: number | null;
            progress: unknown;
            state: string | null;
            /** @description ms since the epoch */
            timestamp: number;
        };
        License: {
            assetId: string;
            brandId: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            endsAt: string | null;
            id: string;
            /** @description ISO 8601, UTC */
            startsAt: string;
            /** @enum {string} */
            status: "PENDING" | "ACTIVE" | "EXPIRED" | "TERMINATED";
            terms: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
            /** @description increases with every change */
            version: number;
        };
        MetricsAggregationJobLog: {
            completedAt: string | null;
            /** @description ISO 8601, UTC */
            createdAt: string;
            durationSeconds: number | null;
            errorMessage: string | null;
            errorsCount: number;
            errorStack: string | null;
            id: string;
            /** @enum {string} */
            jobType: "hourly" | "daily" | "weekly" | "monthly";
            memoryUsedMb: number | null;
            metadata: {
                [key: string]: unknown;
            };
            /** @description ISO 8601, UTC */
            periodEndDate: string;
            /** @description ISO 8601, UTC */
            periodStartDate: string;
            recordsCreated: number;
            recordsProcessed: number;
            recordsUpdated: number;
            /** @description ISO 8601, UTC */
            startedAt: string;
            /** @enum {string} */
            status: "RUNNING" | "COMPLETED" | "FAILED" | "PARTIAL";
        };
        MetricsBucket: {
            completed: number;
            failed: number;
            /** @description started to finished */
            runMs: components["schemas"]["MetricsPercentiles"] | null;
            /** @description ISO 8601, UTC */
            start: string;
            /** @description jobs finished (completed + failed) per second over the bucket */
            throughput: number;
            /** @description due to started */
            waitMs: components["schemas"]["MetricsPercentiles"] | null;
        };
        /** @description milliseconds, exact (percentile_cont) over the bucket's completed and failed jobs; null when none had the value */
        MetricsPercentiles: {
            p50: number;
            p95: number;
            p99: number;
        };
        /** @enum {string} */
        MetricsQueue: "notification-fanout" | "notification-digest" | "notification-inbox" | "notification-delivery" | "analytics-enrichment" | "analytics-aggregation" | "search-index-update" | "search-index-bulk" | "search-index-reindex" | "blog-publish" | "media-scan" | "media-thumbnail" | "file-preview-generation" | "webhook-delivery" | "job-console" | "all";
        MissingPreview: {
            assetId: string;
            previewError: string | null;
            previewLastAttempt: string | null;
            scanStatus: string;
            title: string;
            type: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
        };
        Notification: {
            actionUrl: string | null;
            archived: boolean;
            archivedAt: string | null;
            /** @description ISO 8601, UTC */
            createdAt: string;
            /** @description Gone from lists and counts at that instant */
            expiresAt: string | null;
            id: string;
            message: string;
            metadata: {
                [key: string]: unknown;
            } | null;
            priority: components["schemas"]["NotificationPriority"];
            read: boolean;
            readAt: string | null;
            /** @description Shown in a feed (the bell was opened); read implies seen */
            seen: boolean;
            seenAt: string | null;
            /** @description Hidden from lists and counts until then */
            snoozedUntil: string | null;
            title: string;
            type: components["schemas"]["NotificationType"];
        };
        NotificationBatch: {
            completedAt: string | null;
            created: number;
            /** @description ISO 8601, UTC */
            createdAt: string;
            id: string;
            /** @description null until recalled */
            recall: components["schemas"]["RecallCounts"] | null;
            recalledAt: string | null;
            role: components["schemas"]["Role"] | null;
            skipped: number;
            /** @enum {string} */
            status: "pending" | "running" | "completed" | "recalled";
            /** @enum {string} */
            target: "users" | "role" | "all";
            title: string;
            type: components["schemas"]["NotificationType"];
        };
        NotificationPreferences: {
            digestFrequency: components["schemas"]["DigestFrequency"];
            emailEnabled: boolean;
            enabledTypes: components["schemas"]["NotificationType"][];
            /** @constant */
            inAppEnabled: true;
            /** @description ISO 8601, UTC */
            lastDigestSentAt?: string;
            /** @description Quiet hours: a daily window, local times HH:MM in `timezone` (UTC by default), that may cross midnight (22:00 to 07:00). An IMMEDIATE email of a notification that is not URGENT, due inside it, is held and sent once when it ends; one read, archived, snoozed, deleted or expired meanwhile is not sent, and one whose preferences changed follows the new ones. Critical and URGENT notifications are never held, nor is in-app delivery (the stream gets every notification at once). Across a DST change the window ends when the clock first reads `end` (or jumps past it). null: off (the default); start must differ from end. */
            quietHours: {
                /** @description HH:MM, local */
                end: string;
                /** @description HH:MM, local */
                start: string;
            } | null;
            /** @description IANA zone of the 09:00 digests and of quiet hours; UTC by default */
            timezone: string;
            userId: string;
        };
        /** @enum {string} */
        NotificationPriority: "LOW" | "MEDIUM" | "HIGH" | "URGENT";
        NotificationTimeline: {
            /** @description oldest first; one instant's stages in the order of the stage enum */
            events: components["schemas"]["TimelineEvent"][];
            notification: components["schemas"]["AdminNotification"];
        };
        /** @enum {string} */
        NotificationType: "LICENSE" | "PAYOUT" | "ROYALTY" | "PROJECT" | "SYSTEM" | "MESSAGE" | "POST_ASSIGNED" | "POST_STATUS_CHANGED" | "BLOG";
        Pagination: {
            page: number;
            pageSize: number;
            total: number;
            totalPages: number;
        };
        Project: {
            brandId: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            description: string;
            id: string;
            /** @enum {string} */
            status: "DRAFT" | "ACTIVE" | "COMPLETED" | "ARCHIVED";
            title: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
            /** @description increases with every change */
            version: number;
        };
        QueueCounts: {
            active: number;
            completed: number;
            failed: number;
            waiting: number;
        };
        /** @enum {string} */
        QueueName: "notification-fanout" | "notification-digest" | "notification-inbox" | "notification-delivery" | "analytics-enrichment" | "analytics-aggregation" | "search-index-update" | "search-index-bulk" | "search-index-reindex" | "blog-publish" | "media-scan" | "media-thumbnail" | "file-preview-generation" | "webhook-delivery" | "job-console";
        QueueOverview: {
            counts: {
                [key: string]: number;
            };
            description: string;
            group: string;
            lastHour: {
                completed: number;
                failed: number;
            };
            name: components["schemas"]["QueueName"];
            paused: boolean;
            perMinute: {
                /** @description 60 counts, one per minute, oldest first */
                completed: number[];
                /** @description 60 counts, one per minute, oldest first */
                failed: number[];
            };
            workers: number;
        };
        RecallCounts: {
            /** @description notifications that a coming digest would have listed */
            digestItemsRemoved: number;
            /** @description emails that would have gone (now or after quiet hours) and will not */
            emailsCancelled: number;
            /** @description emails refused for good or suppressed before the recall */
            emailsFailed: number;
            /** @description emails handed to SMTP (or captured) before the recall: could not be stopped */
            emailsSent: number;
            /** @description emails claimed before the recall whose outcome is unknown (a hand-off still running after EMAIL_LEASE_MS, or an attempt that died mid-hand-off); 0 normally */
            emailsUnconfirmed: number;
            /** @description in-app notifications hidden by the recall (inbox, unread counts, digests, open streams) */
            hidden: number;
            /** @description false only while the recall still waits for emails in hand-off */
            settled: boolean;
            /** @description users a role/everyone fan-out had not reached yet: nothing was created for them */
            unreached: number;
        };
        ReindexRun: {
            added: number;
            completedAt: string | null;
            documents: number;
            error: string | null;
            fixed: number;
            id: string;
            removed: number;
            /** @description ISO 8601, UTC */
            startedAt: string;
            status: string;
            trigger: string;
        };
        /** @enum {string} */
        Role: "ADMIN" | "CREATOR" | "BRAND" | "VIEWER";
        ScheduleControl: {
            id: string;
            /** @description null while paused */
            nextRun: string | null;
            paused: boolean;
            pausedAt: string | null;
            /** @description the admin's user id */
            pausedBy: string | null;
        };
        ScheduledPost: {
            announcement: boolean;
            authorId: string;
            id: string;
            /** @description BullMQ state of its publish job; unknown: none (the reconciler re-adds it) */
            job: string;
            /** @description past its time by more than BLOG_PUBLISH_GRACE_MS */
            overdue: boolean;
            /** @description ISO 8601, UTC */
            publishAt: string;
            title: string;
        };
        Scheduler: {
            description: string;
            id: string;
            iterations: number;
            job: string;
            nextRun: string | null;
            /** @description next run past SCHEDULE_GRACE_MS, or not registered; never while paused */
            overdue: boolean;
            pattern: string;
            /** @description paused by an admin (POST /api/admin/jobs/schedulers/:id/pause): not registered, nothing runs but manual runs */
            paused: boolean;
            pausedAt: string | null;
            /** @description the admin's user id (null once that user is deleted, and for MONITORING_TOKEN) */
            pausedBy: string | null;
            queue: components["schemas"]["QueueName"];
            registered: boolean;
            tz?: string;
        };
        ScheduleRun: {
            durationMs: number | null;
            failedReason: string | null;
            finishedAt: string | null;
            jobId: string;
            startedAt: string | null;
            /** @description completed, failed, skipped (an iteration of a paused schedule, completed without running), or waiting / prioritized / active */
            state: string;
            /**
             * @description schedule: an iteration of the scheduler; catch-up: a run made up after Redis lost the scheduler; manual: run now
             * @enum {string}
             */
            trigger: "schedule" | "catch-up" | "manual";
        };
        ScheduleRunNow: {
            /** @description true when a run of this schedule was still waiting: no second one was added */
            deduplicated: boolean;
            /** @description schedule-run-<id>-<ms>; the run already waiting when deduplicated */
            jobId: string;
        };
        /** @enum {string} */
        SearchEntityType: "asset" | "creator" | "project" | "license" | "blog_post";
        SearchResponse: {
            executionTimeMs: number;
            facets: {
                assetTypes: {
                    [key: string]: number;
                };
                entityTypes: {
                    [key: string]: number;
                };
                statuses: {
                    [key: string]: number;
                };
                tags: {
                    count: number;
                    value: string;
                }[];
            };
            pagination: {
                hasNextPage: boolean;
                hasPreviousPage: boolean;
                page: number;
                pageSize: number;
                total: number;
                /** @description false when the match count passed SEARCH_MAX_CANDIDATES: total is then a lower bound */
                totalIsExact: boolean;
                totalPages: number;
            };
            query: string;
            results: components["schemas"]["SearchResult"][];
        };
        SearchResult: {
            /** @description ISO 8601, UTC */
            createdAt: string;
            description: string;
            entityType: components["schemas"]["SearchEntityType"];
            /** @description HTML-escaped text with <mark> around matches */
            highlights: {
                description?: string;
                title?: string;
            };
            id: string;
            metadata: {
                [key: string]: unknown;
            };
            relevanceScore: number;
            title: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
        };
        SmtpTransportHealth: {
            /** @description host:port (never credentials) */
            address: string;
            consecutiveFailures: number;
            lastError: string | null;
            lastErrorAt: string | null;
            /** @description smtp-1, smtp-2, … in SMTP_URL order */
            name: string;
            /** @description workers whose breaker for it is open or half-open */
            openIn: number;
            /** @description the latest cool-down end among the workers holding it open */
            openUntil: string | null;
            /** @description summed over the workers since they started */
            sent: number;
            /**
             * @description the worst state any worker holds
             * @enum {string}
             */
            state: "closed" | "open" | "half-open";
            trips: number;
            /** @description workers reporting it (each has its own breakers) */
            workers: number;
        };
        Success: {
            /** @constant */
            success: true;
        };
        TimelineEvent: {
            /** @description ISO 8601, UTC */
            at: string;
            /** @description per stage: outboxId, emailLogId, transport, smtpResponse, error, provider, … */
            detail: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            stage: "created" | "visible" | "relayed" | "email-held" | "email-claimed" | "email-retrying" | "email-sent" | "email-captured" | "email-suppressed" | "email-cancelled" | "email-failed" | "delivered" | "bounced" | "complained" | "delivery-job-done" | "delivery-job-failed" | "seen" | "read" | "snoozed" | "archived" | "digest" | "expires";
        };
        User: {
            email: string;
            id: string;
            name: string | null;
            role: components["schemas"]["Role"];
        };
        WebhookAttempt: {
            /** @description ISO 8601, UTC */
            attemptedAt: string;
            durationMs: number;
            error: string | null;
            /** @description the first WEBHOOK_RESPONSE_MAX_BYTES of the answer */
            responseSnippet: string | null;
            /** @description null: no HTTP answer (timeout, refused connection, refused target) */
            statusCode: number | null;
        };
        WebhookDelivery: {
            attemptLog: components["schemas"]["WebhookAttempt"][];
            attempts: number;
            /** @description ISO 8601, UTC */
            createdAt: string;
            deliveredAt: string | null;
            event: string;
            /** @description X-Herald-Delivery: the same across retries and replays */
            id: string;
            lastError: string | null;
            orderingKey: string;
            payload: unknown;
            /** @enum {string} */
            status: "pending" | "delivered" | "failed";
        };
        WebhookEndpoint: {
            /** @description ISO 8601, UTC */
            createdAt: string;
            description: string | null;
            enabled: boolean;
            events: string[];
            id: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
            url: string;
        };
        Worker: {
            activeJobs: number;
            concurrency: {
                [key: string]: number;
            };
            host: string;
            id: string;
            /** @description ISO 8601, UTC */
            lastSeenAt: string;
            pid: number;
            queues: components["schemas"]["QueueName"][];
            /** @description ISO 8601, UTC */
            startedAt: string;
        };
        WorkerHealth: {
            failureRates: {
                [key: string]: {
                    completed: number;
                    failed: number;
                    rate: number;
                };
            };
            healthy: boolean;
            problems: string[];
            scheduledJobs: number;
            schedules: {
                id: string;
                nextRun: string | null;
                overdue: boolean;
                pattern: string;
                /** @description paused by an admin: never overdue, never a problem (a warning says since when) */
                paused: boolean;
            }[];
            /** @description email group only: each SMTP transport as the workers' heartbeats report it (up to WORKER_HEARTBEAT_MS old) */
            transports?: components["schemas"]["SmtpTransportHealth"][];
            /** @description shown with the group; they leave it healthy */
            warnings?: string[];
            workers: {
                [key: string]: {
                    error?: string;
                    isRunning: boolean;
                };
            };
        };
    };
    responses: {
        /** @description Forbidden: Admin access required */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Invalid request body (`details` lists the issues) */
        InvalidBody: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Invalid query parameters (`details` lists the issues) */
        InvalidQuery: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Not found (or not the caller's) */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Too many requests. Please try again later. */
        RateLimited: {
            headers: {
                /** @description seconds until the window resets */
                "Retry-After"?: number;
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Internal server error */
        ServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Unauthorized: no valid session cookie or bearer token */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Service unavailable: PostgreSQL or Redis is down */
        Unavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description requests allowed in the window */
        "X-RateLimit-Limit": number;
        /** @description requests left in the window */
        "X-RateLimit-Remaining": number;
        /** @description unix seconds at which the window ends */
        "X-RateLimit-Reset": number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getAdminEmails: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                status?: "sending" | "sent" | "captured" | "failed" | "suppressed" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Email"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminEmailsSummary: {
        parameters: {
            query?: {
                hours?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["EmailSummary"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminEmailsSuppressions: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                /** @description case-insensitive part of the address */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["EmailSuppression"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteAdminEmailsSuppressionsEmail: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                email: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Suppression not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsQueueNameJobId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                jobId: string;
                queueName: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["JobDetail"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Job not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteAdminJobsQueueNameJobId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                jobId: string;
                queueName: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            /** @description Cannot remove an active job (or a schedule's next run: pause the schedule instead) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Job not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueueNameJobIdRetry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                jobId: string;
                queueName: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            jobId: string;
                            /** @constant */
                            status: "retried";
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            /** @description Cannot retry job */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Job not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsAggregationLogs: {
        parameters: {
            query?: {
                endDate?: string;
                jobType?: "hourly" | "daily" | "weekly" | "monthly";
                page?: string;
                pageSize?: string;
                startDate?: string;
                status?: "RUNNING" | "COMPLETED" | "FAILED" | "PARTIAL";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["MetricsAggregationJobLog"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsAggregationRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    jobType: "hourly" | "daily" | "weekly" | "monthly";
                    /** Format: date-time */
                    periodStart: string;
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            jobId: string;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsAudit: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["AuditEntry"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsBlogScheduled: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ScheduledPost"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsDigestsRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    at?: string;
                    /** @enum {string} */
                    frequency: "DAILY" | "WEEKLY";
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            jobId: string;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["JobHealth"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsNotificationsStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            delivery: components["schemas"]["QueueCounts"];
                            digest: {
                                /** @description ISO 8601, UTC */
                                lastDailyRun?: string;
                                /** @description ISO 8601, UTC */
                                lastWeeklyRun?: string;
                                /** @description ISO 8601, UTC */
                                nextDailyRun?: string;
                                /** @description ISO 8601, UTC */
                                nextWeeklyRun?: string;
                            };
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsPreviews: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["MissingPreview"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsPreviewsRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    assetId: string;
                } | {
                    /** @constant */
                    missing: true;
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            jobId: string;
                        } | {
                            queued: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsQueues: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["QueueOverview"][];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueuesQueueBulk: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: "notification-fanout" | "notification-digest" | "notification-inbox" | "notification-delivery" | "analytics-enrichment" | "analytics-aggregation" | "search-index-update" | "search-index-bulk" | "search-index-reindex" | "blog-publish" | "media-scan" | "media-thumbnail" | "file-preview-generation" | "webhook-delivery" | "job-console";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description retry: failed jobs; promote: delayed jobs (never a schedule's next run); remove: any state but active and waiting-children
                     * @enum {string}
                     */
                    action: "retry" | "remove" | "promote";
                    /**
                     * Format: date-time
                     * @description the count's asOf: only jobs that matched then are taken
                     */
                    asOf: string;
                    /** @description the previous step's cursor, to go on */
                    cursor?: string;
                    /** @description the count the admin confirmed: never more jobs than this */
                    expected: number;
                    /** @default {} */
                    filter?: components["schemas"]["BulkFilterInput"];
                    /** @enum {string} */
                    state: "failed" | "completed" | "delayed" | "waiting" | "prioritized" | "active" | "waiting-children";
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BulkStep"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            /** @description Cannot retry delayed jobs: retry takes failed jobs only */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Queue not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueuesQueueBulkCount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: "notification-fanout" | "notification-digest" | "notification-inbox" | "notification-delivery" | "analytics-enrichment" | "analytics-aggregation" | "search-index-update" | "search-index-bulk" | "search-index-reindex" | "blog-publish" | "media-scan" | "media-thumbnail" | "file-preview-generation" | "webhook-delivery" | "job-console";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description retry: failed jobs; promote: delayed jobs (never a schedule's next run); remove: any state but active and waiting-children
                     * @enum {string}
                     */
                    action: "retry" | "remove" | "promote";
                    /**
                     * Format: date-time
                     * @description with a cursor: the first step's asOf
                     */
                    asOf?: string;
                    /** @description the previous step's cursor, to go on */
                    cursor?: string;
                    /** @default {} */
                    filter?: components["schemas"]["BulkFilterInput"];
                    /** @enum {string} */
                    state: "failed" | "completed" | "delayed" | "waiting" | "prioritized" | "active" | "waiting-children";
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BulkCount"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            /** @description Cannot retry delayed jobs: retry takes failed jobs only */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Queue not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueuesQueueClean: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    olderThanMs: number;
                    /** @enum {string} */
                    state: "completed" | "failed" | "delayed" | "waiting" | "prioritized";
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            removed: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsQueuesQueueJobs: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                state?: "waiting" | "active" | "completed" | "failed" | "delayed" | "prioritized" | "waiting-children";
            };
            header?: never;
            path: {
                queue: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["JobSummary"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsQueuesQueueMetrics: {
        parameters: {
            query?: {
                from?: string;
                granularity?: "minute" | "hour" | "day";
                to?: string;
            };
            header?: never;
            path: {
                queue: components["schemas"]["MetricsQueue"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["JobMetricsSeries"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Queue not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueuesQueuePause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            paused: boolean;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueuesQueuePromote: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            count: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueuesQueueResume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            paused: boolean;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsQueuesQueueRetryFailed: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: components["schemas"]["QueueName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            count: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsSchedulers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Scheduler"][];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsSchedulersIdPause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ScheduleControl"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Schedule not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsSchedulersIdResume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ScheduleControl"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Schedule not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsSchedulersIdRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ScheduleRunNow"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Schedule not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsSchedulersIdRuns: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ScheduleRun"][];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Schedule not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsSearch: {
        parameters: {
            query?: {
                /** @description ISO instant or date (UTC): history by finish time, live jobs by their timestamp */
                from?: string;
                /** @description the job name, exactly */
                name?: string;
                page?: string;
                pageSize?: string;
                /** @description a job id (exact, in every queue), a name, words (websearch syntax: "phrase", or, -word) or any text of 3+ characters as a substring */
                q?: string;
                /** @description one or more queues (repeated or comma-separated) */
                queue?: ("notification-fanout" | "notification-digest" | "notification-inbox" | "notification-delivery" | "analytics-enrichment" | "analytics-aggregation" | "search-index-update" | "search-index-bulk" | "search-index-reindex" | "blog-publish" | "media-scan" | "media-thumbnail" | "file-preview-generation" | "webhook-delivery" | "job-console")[];
                /** @description one or more states; completed and failed come from history, the others from the live queues */
                state?: ("completed" | "failed" | "waiting" | "active" | "delayed" | "prioritized" | "waiting-children")[];
                /** @description ISO instant, or a date meaning the end of that day (UTC) */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSearchPage"];
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminJobsSearchIndexReindex: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            jobId: string;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsSearchIndexRuns: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ReindexRun"][];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsSearchIndexStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            bulk: components["schemas"]["QueueCounts"];
                            realtime: components["schemas"]["QueueCounts"];
                            reindex: components["schemas"]["QueueCounts"];
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminJobsWorkers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Worker"][];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminNotifications: {
        parameters: {
            query?: {
                email?: string;
                id?: string;
                page?: string;
                pageSize?: string;
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["AdminNotification"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminNotifications: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    actionUrl?: string;
                    /** @constant */
                    all?: true;
                    /** @default false */
                    critical?: boolean;
                    /** Format: date-time */
                    expiresAt?: string;
                    idempotencyKey?: string;
                    message: string;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @default MEDIUM
                     * @enum {string}
                     */
                    priority?: "LOW" | "MEDIUM" | "HIGH" | "URGENT";
                    /** @enum {string} */
                    role?: "ADMIN" | "CREATOR" | "BRAND" | "VIEWER";
                    title: string;
                    /** @enum {string} */
                    type: "LICENSE" | "PAYOUT" | "ROYALTY" | "PROJECT" | "SYSTEM" | "MESSAGE" | "POST_ASSIGNED" | "POST_STATUS_CHANGED" | "BLOG";
                    userIds?: string[];
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            batchId: string;
                            /** @description rows created now (0 for a role/everyone fan-out, which creates them in the background) */
                            created: number;
                            /** @description true when the idempotencyKey was seen before and nothing new was created */
                            replayed: boolean;
                            skipped: number;
                            /** @enum {string} */
                            status: "pending" | "running" | "completed" | "recalled";
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminNotificationsIdTimeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["NotificationTimeline"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminNotificationsBatches: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["NotificationBatch"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminNotificationsBatchesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["NotificationBatch"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Batch not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminNotificationsBatchesIdRecall: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["NotificationBatch"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Batch not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminNotificationsPreview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    actionUrl?: string;
                    /** @constant */
                    all?: true;
                    /** @default false */
                    critical?: boolean;
                    /** Format: date-time */
                    expiresAt?: string;
                    idempotencyKey?: string;
                    message: string;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @default MEDIUM
                     * @enum {string}
                     */
                    priority?: "LOW" | "MEDIUM" | "HIGH" | "URGENT";
                    /** @enum {string} */
                    role?: "ADMIN" | "CREATOR" | "BRAND" | "VIEWER";
                    title: string;
                    /** @enum {string} */
                    type: "LICENSE" | "PAYOUT" | "ROYALTY" | "PROJECT" | "SYSTEM" | "MESSAGE" | "POST_ASSIGNED" | "POST_STATUS_CHANGED" | "BLOG";
                    userIds?: string[];
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description users the broadcast would reach (in-app), by the real fan-out's rules */
                            audience: number;
                            email: {
                                /** @description listed in their next daily or weekly digest instead */
                                digest: number;
                                /** @description emailed when their quiet hours end (inside them now) */
                                heldForQuietHours: number;
                                /** @description no email: email off, NEVER, type disabled, or address suppressed */
                                none: number;
                                /** @description emailed as soon as delivered */
                                now: number;
                            };
                            /** @description the idempotencyKey was used already: sending this body would create nothing */
                            idempotencyKeyUsed: boolean;
                            /** @description ids of userIds that name no user, or repeat one (the real broadcast skips them too) */
                            skipped: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    name?: string;
                    password: string;
                    /** @enum {string} */
                    role: "ADMIN" | "CREATOR" | "BRAND" | "VIEWER";
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["User"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Email already in use */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookEndpoint"][];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string | null;
                    events: ("notification.created" | "notification.read" | "email.sent" | "email.bounced" | "email.complained" | "email.suppressed" | "digest.sent")[];
                    secret?: string;
                    url: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description ISO 8601, UTC */
                            createdAt: string;
                            description: string | null;
                            enabled: boolean;
                            events: string[];
                            id: string;
                            /** @description the signing secret; shown only in this answer */
                            secret: string;
                            /** @description ISO 8601, UTC */
                            updatedAt: string;
                            url: string;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminWebhooksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookEndpoint"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Webhook not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteAdminWebhooksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Webhook not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchAdminWebhooksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string | null;
                    enabled?: boolean;
                    events?: ("notification.created" | "notification.read" | "email.sent" | "email.bounced" | "email.complained" | "email.suppressed" | "digest.sent")[];
                    secret?: string;
                    url?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookEndpoint"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Webhook not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAdminWebhooksIdDeliveries: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                status?: "pending" | "delivered" | "failed";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookDelivery"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Webhook not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminWebhooksIdDeliveriesDeliveryIdReplay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deliveryId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            deliveryId: string;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Delivery not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The delivery is still pending */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAdminWebhooksIdTest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            deliveryId: string;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description Webhook not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAnalyticsBrandBrandId: {
        parameters: {
            query?: {
                endDate?: string;
                granularity?: "hour" | "day" | "week" | "month";
                limit?: string;
                startDate?: string;
            };
            header?: never;
            path: {
                brandId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            dateRange: {
                                endDate: string;
                                startDate: string;
                            };
                            /** @enum {string} */
                            granularity: "hour" | "day" | "week" | "month";
                            series: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description ISO instant; the first bucket starts at startDate */
                                periodStart: string;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            /** @description platform/assets and platform/projects: the most viewed over the range */
                            top?: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                id: string;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            totals: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            };
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAnalyticsCreatorCreatorId: {
        parameters: {
            query?: {
                endDate?: string;
                granularity?: "hour" | "day" | "week" | "month";
                limit?: string;
                startDate?: string;
            };
            header?: never;
            path: {
                creatorId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            dateRange: {
                                endDate: string;
                                startDate: string;
                            };
                            /** @enum {string} */
                            granularity: "hour" | "day" | "week" | "month";
                            series: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description ISO instant; the first bucket starts at startDate */
                                periodStart: string;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            /** @description platform/assets and platform/projects: the most viewed over the range */
                            top?: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                id: string;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            totals: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            };
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAnalyticsEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    events: {
                        assetId?: string | null;
                        brandId?: string | null;
                        creatorId?: string | null;
                        eventType: string;
                        idempotencyKey?: string | null;
                        licenseId?: string | null;
                        occurredAt?: string | null;
                        postId?: string | null;
                        projectId?: string | null;
                        props?: {
                            [key: string]: unknown;
                        } | null;
                        sessionId?: string | null;
                    }[];
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            accepted: number;
                            duplicates: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests. Please try again later. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAnalyticsOpenapiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAnalyticsPlatformAssets: {
        parameters: {
            query?: {
                endDate?: string;
                granularity?: "hour" | "day" | "week" | "month";
                limit?: string;
                startDate?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            dateRange: {
                                endDate: string;
                                startDate: string;
                            };
                            /** @enum {string} */
                            granularity: "hour" | "day" | "week" | "month";
                            series: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description ISO instant; the first bucket starts at startDate */
                                periodStart: string;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            /** @description platform/assets and platform/projects: the most viewed over the range */
                            top?: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                id: string;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            totals: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            };
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAnalyticsPlatformOverview: {
        parameters: {
            query?: {
                endDate?: string;
                granularity?: "hour" | "day" | "week" | "month";
                limit?: string;
                startDate?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            dateRange: {
                                endDate: string;
                                startDate: string;
                            };
                            /** @enum {string} */
                            granularity: "hour" | "day" | "week" | "month";
                            series: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description ISO instant; the first bucket starts at startDate */
                                periodStart: string;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            /** @description platform/assets and platform/projects: the most viewed over the range */
                            top?: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                id: string;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            totals: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            };
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAnalyticsPlatformProjects: {
        parameters: {
            query?: {
                endDate?: string;
                granularity?: "hour" | "day" | "week" | "month";
                limit?: string;
                startDate?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            dateRange: {
                                endDate: string;
                                startDate: string;
                            };
                            /** @enum {string} */
                            granularity: "hour" | "day" | "week" | "month";
                            series: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description ISO instant; the first bucket starts at startDate */
                                periodStart: string;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            /** @description platform/assets and platform/projects: the most viewed over the range */
                            top?: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                id: string;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            }[];
                            totals: {
                                /** @description asset_downloaded + license_clicked events */
                                clicks: number;
                                /** @description license_created events */
                                conversions: number;
                                /** @description sum of props.engagementTime (seconds) */
                                engagementTime: number;
                                /** @description events of types without a metric of their own */
                                otherEvents: number;
                                /** @description sum of props.revenueCents */
                                revenueCents: number;
                                /** @description distinct visitors (session, else user) over the whole period; null where the period is not one whole rolled-up hour, day, ISO week or month, since visitors of different periods cannot be added up */
                                uniqueVisitors: number | null;
                                /** @description asset_viewed events */
                                views: number;
                            };
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAssets: {
        parameters: {
            query?: {
                creatorId?: string;
                page?: string;
                pageSize?: string;
                projectId?: string;
                status?: "DRAFT" | "PUBLISHED" | "ARCHIVED";
                tag?: string;
                type?: "IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" | "THREE_D" | "OTHER";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["IpAsset"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAssets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    creatorId?: string;
                    description?: string;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    projectId?: string;
                    /** @enum {string} */
                    status?: "DRAFT" | "PUBLISHED" | "ARCHIVED";
                    tags?: string[];
                    title: string;
                    /** @enum {string} */
                    type: "IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" | "THREE_D" | "OTHER";
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["IpAsset"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAssetsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["IpAsset"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteAssetsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchAssetsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    projectId?: string | null;
                    /** @enum {string} */
                    status?: "DRAFT" | "PUBLISHED" | "ARCHIVED";
                    tags?: string[];
                    title?: string;
                    /** @enum {string} */
                    type?: "IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" | "THREE_D" | "OTHER";
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["IpAsset"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAssetsIdFile: {
        parameters: {
            query?: {
                v?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the bytes (Range, ETag and If-None-Match supported) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description Range not satisfiable */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAssetsIdFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description the file (one part)
                     */
                    file: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["IpAsset"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the file is not of the asset's type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAssetsIdPreview: {
        parameters: {
            query?: {
                v?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the bytes (Range, ETag and If-None-Match supported) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description Range not satisfiable */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAssetsIdThumbnail: {
        parameters: {
            query?: {
                size?: "200" | "400" | "800";
                v?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the bytes (Range, ETag and If-None-Match supported) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description Range not satisfiable */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAssetsBulk: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    assets: {
                        creatorId?: string;
                        description?: string;
                        metadata?: {
                            [key: string]: unknown;
                        };
                        projectId?: string;
                        /** @enum {string} */
                        status?: "DRAFT" | "PUBLISHED" | "ARCHIVED";
                        tags?: string[];
                        title: string;
                        /** @enum {string} */
                        type: "IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" | "THREE_D" | "OTHER";
                    }[];
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["IpAsset"][];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAuthLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description also set as the HttpOnly session cookie */
                            token: string;
                            user: components["schemas"]["User"];
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            /** @description Invalid email or password */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests. Please try again later. (per IP; failed attempts per email and IP; an account under attack from many IPs is slowed for addresses it never signed in from) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAuthLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getAuthMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: true;
                        user: components["schemas"]["User"];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postAuthPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    currentPassword: string;
                    newPassword: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description also set as the HttpOnly session cookie */
                            token: string;
                            user: components["schemas"]["User"];
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Too many requests. Please try again later. (failed attempts per account and IP) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getBlogPosts: {
        parameters: {
            query?: {
                assigneeId?: string;
                authorId?: string;
                page?: string;
                pageSize?: string;
                status?: "DRAFT" | "SCHEDULED" | "PUBLISHED" | "ARCHIVED";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BlogPost"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postBlogPosts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    announcement?: boolean;
                    assigneeId?: string | null;
                    content: string;
                    excerpt?: string;
                    /** @enum {string} */
                    status?: "DRAFT" | "SCHEDULED" | "PUBLISHED" | "ARCHIVED";
                    title: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BlogPost"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getBlogPostsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BlogPost"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteBlogPostsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchBlogPostsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    announcement?: boolean;
                    assigneeId?: string | null;
                    content?: string;
                    excerpt?: string;
                    /** @enum {string} */
                    status?: "DRAFT" | "SCHEDULED" | "PUBLISHED" | "ARCHIVED";
                    title?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BlogPost"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postBlogPostsIdSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    publishAt: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BlogPost"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteBlogPostsIdSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["BlogPost"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getBrands: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Brand"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postBrands: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    companyName: string;
                    userId?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Brand"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getBrandsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Brand"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteBrandsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchBrandsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    companyName?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Brand"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getCreators: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                specialty?: string;
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Creator"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postCreators: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    bio?: string;
                    specialties?: string[];
                    stageName: string;
                    userId?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Creator"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getCreatorsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Creator"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteCreatorsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchCreatorsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    bio?: string;
                    specialties?: string[];
                    stageName?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Creator"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @enum {string} */
                            postgres: "up" | "down";
                            /** @enum {string} */
                            redis: "up" | "down";
                            /** @enum {string} */
                            status: "ok" | "unavailable";
                        };
                        /** @description on 503: what is down */
                        error?: string;
                        success: boolean;
                    };
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLicenses: {
        parameters: {
            query?: {
                assetId?: string;
                brandId?: string;
                page?: string;
                pageSize?: string;
                status?: "PENDING" | "ACTIVE" | "EXPIRED" | "TERMINATED";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["License"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postLicenses: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    assetId: string;
                    brandId?: string;
                    endsAt?: string | null;
                    /** Format: date-time */
                    startsAt: string;
                    /** @enum {string} */
                    status?: "PENDING" | "ACTIVE" | "EXPIRED" | "TERMINATED";
                    terms?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["License"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLicensesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["License"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteLicensesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchLicensesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    endsAt?: string | null;
                    /** Format: date-time */
                    startsAt?: string;
                    /** @enum {string} */
                    status?: "PENDING" | "ACTIVE" | "EXPIRED" | "TERMINATED";
                    terms?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["License"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getNotifications: {
        parameters: {
            query?: {
                archived?: "true" | "false" | "all";
                page?: string;
                pageSize?: string;
                priority?: "LOW" | "MEDIUM" | "HIGH" | "URGENT";
                read?: "true" | "false";
                type?: "LICENSE" | "PAYOUT" | "ROYALTY" | "PROJECT" | "SYSTEM" | "MESSAGE" | "POST_ASSIGNED" | "POST_STATUS_CHANGED" | "BLOG";
                types?: ("LICENSE" | "PAYOUT" | "ROYALTY" | "PROJECT" | "SYSTEM" | "MESSAGE" | "POST_ASSIGNED" | "POST_STATUS_CHANGED" | "BLOG")[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Notification"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteNotificationsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsIdArchive: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Notification"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsIdRead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            id: string;
                            /** @constant */
                            read: true;
                            /** @description ISO 8601, UTC */
                            readAt: string;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsIdSnooze: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    until: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Notification"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsIdUnarchive: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Notification"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsIdUnread: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Notification"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsIdUnsnooze: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Notification"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Notification not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsBulk: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    action: "read" | "unread" | "seen" | "archive" | "unarchive" | "delete";
                    ids: string[];
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            count: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getNotificationsPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["NotificationPreferences"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchNotificationsPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    digestFrequency?: "IMMEDIATE" | "DAILY" | "WEEKLY" | "NEVER";
                    emailEnabled?: boolean;
                    enabledTypes?: ("LICENSE" | "PAYOUT" | "ROYALTY" | "PROJECT" | "SYSTEM" | "MESSAGE" | "POST_ASSIGNED" | "POST_STATUS_CHANGED" | "BLOG")[];
                    /** @description Quiet hours: a daily window, local times HH:MM in `timezone` (UTC by default), that may cross midnight (22:00 to 07:00). An IMMEDIATE email of a notification that is not URGENT, due inside it, is held and sent once when it ends; one read, archived, snoozed, deleted or expired meanwhile is not sent, and one whose preferences changed follows the new ones. Critical and URGENT notifications are never held, nor is in-app delivery (the stream gets every notification at once). Across a DST change the window ends when the clock first reads `end` (or jumps past it). null: off (the default); start must differ from end. */
                    quietHours?: {
                        end: string;
                        start: string;
                    } | null;
                    timezone?: string | null;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["NotificationPreferences"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsReadAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description how many changed */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            count: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsSeenAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description how many changed */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            count: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getNotificationsStream: {
        parameters: {
            query?: {
                /** @description the id of the last event received */
                lastEventId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server-Sent Events: `event: notification` (data: a Notification, `id` resumable with Last-Event-ID or ?lastEventId=) and `event: unread-count` (data: `{ count, unseen }`: the feed's unread and, of those, never shown), heartbeats as comments. `event: notifications-changed` (data: `{ action, ids, notifications? }`) tells every open stream of the user what changed, followed by the new `unread-count`: `action` is `read`, `unread`, `seen`, `archive`, `unarchive`, `delete`, `snooze`, `unsnooze`, `wake` (a snooze ended: the notification is back, unread and unseen), `expire` (gone at its expiresAt), `read-all` or `seen-all` (no ids: refetch); `notifications` carries the changed Notifications as they are now when one action changed one (and for `wake`), else only `ids` come. A replay sends at most the newest 100 missed notifications (256 KiB); when more were missed `event: resync` (data: `{ reason: "replay-truncated" }`) comes first: refetch the inbox. The server ends a stream with `event: closed` (data: `{ reason }`): `too-many-streams` (a newer stream of the user took its place, SSE_MAX_PER_USER; it also sets `retry`) or `session-ended` (logout, password change, expiry: the reconnect gets 401). */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            /** @description Too many requests. Please try again later. (opening streams, per user) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getNotificationsUnreadCount: {
        parameters: {
            query?: {
                by?: "type";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description With ?by=type: unread per type, every type present */
                            byType?: {
                                [key: string]: number;
                            };
                            /** @description Unread notifications of the feed (not archived, snoozed or expired) */
                            count: number;
                            /** @description Of those, never shown in a feed (the bell's badge) */
                            unseen: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getNotificationsUnsubscribe: {
        parameters: {
            query?: {
                token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description an HTML page with the one-click form */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description This unsubscribe link is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postNotificationsUnsubscribe: {
        parameters: {
            query?: {
                token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            emailEnabled: boolean;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            /** @description Invalid or expired unsubscribe link */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getOpenapiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getProjects: {
        parameters: {
            query?: {
                brandId?: string;
                page?: string;
                pageSize?: string;
                status?: "DRAFT" | "ACTIVE" | "COMPLETED" | "ARCHIVED";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Project"][];
                        pagination: components["schemas"]["Pagination"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postProjects: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    brandId?: string;
                    description?: string;
                    /** @enum {string} */
                    status?: "DRAFT" | "ACTIVE" | "COMPLETED" | "ARCHIVED";
                    title: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Project"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getProjectsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Project"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteProjectsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchProjectsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    /** @enum {string} */
                    status?: "DRAFT" | "ACTIVE" | "COMPLETED" | "ARCHIVED";
                    title?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Project"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getSearchAssets: {
        parameters: {
            query: {
                assetType?: ("IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" | "THREE_D" | "OTHER")[];
                brandId?: string;
                creatorId?: string;
                from?: string;
                page?: string;
                pageSize?: string;
                projectId?: string;
                q: string;
                status?: ("DRAFT" | "PUBLISHED" | "ARCHIVED")[];
                tags?: string[];
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["SearchResponse"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getSearchCreators: {
        parameters: {
            query: {
                from?: string;
                page?: string;
                pageSize?: string;
                q: string;
                specialties?: string[];
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["SearchResponse"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getSearchProjects: {
        parameters: {
            query: {
                brandId?: string;
                from?: string;
                page?: string;
                pageSize?: string;
                q: string;
                status?: ("DRAFT" | "ACTIVE" | "COMPLETED" | "ARCHIVED")[];
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["SearchResponse"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getSearchUnified: {
        parameters: {
            query: {
                page?: string;
                pageSize?: string;
                q: string;
                types?: ("asset" | "creator" | "project" | "license" | "blog_post")[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["SearchResponse"];
                        /** @constant */
                        success: true;
                    };
                };
            };
            400: components["responses"]["InvalidQuery"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    postWebhooksEmailProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description events this provider had sent before (nothing changed) */
                            duplicates: number;
                            /**
                             * @description events: recorded/duplicates say how many; an SNS subscription step; or an event herald does not act on (opens, clicks, sends)
                             * @enum {string}
                             */
                            outcome: "events" | "subscription-confirmed" | "unsubscribe-confirmed" | "ignored";
                            /** @description events stored by this request */
                            recorded: number;
                        };
                        /** @constant */
                        success: true;
                    };
                };
            };
            /** @description Invalid request body (not JSON, not application/json or text/plain) / Invalid event */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized (signature or credentials) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not found (unknown or unconfigured provider) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Unauthorized (METRICS_TOKEN or MONITORING_TOKEN) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getMetricsQueues: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Unauthorized (METRICS_TOKEN or MONITORING_TOKEN) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            500: components["responses"]["ServerError"];
            503: components["responses"]["Unavailable"];
        };
    };
}
