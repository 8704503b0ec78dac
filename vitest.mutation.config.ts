import { defineConfig } from 'vitest/config';

// The app-free unit tests of the pure rules, the only tests Stryker runs (npm run test:mutation):
// no global setup (no template database), no leak check, no PostgreSQL, Redis or app.
export default defineConfig({
  test: {
    include: [
      'test/notifications/delivery.rules.test.ts',
      'test/notifications/broadcasts.rules.test.ts',
      'test/notifications/email.render.test.ts',
      'test/notifications/quiet-hours.test.ts',
      'test/notifications/quiet-hours.rules.test.ts',
      'test/digests/digest.time.test.ts',
      'test/digests/digest.time.calendar.test.ts',
      'test/digests/digest.render.test.ts',
      'test/digests/digest.render.output.test.ts',
      'test/platform/time-zone.test.ts',
      'test/analytics/analytics.periods.test.ts',
      'test/search/search.text.test.ts',
      'test/previews/ffmpeg.args.test.ts',
      'test/previews/ffmpeg.args.edges.test.ts',
      'test/platform/http/rate-limit.window.test.ts',
      'test/platform/circuit-breaker.rules.test.ts',
      'test/admin/smtp-health.rules.test.ts',
      'test/platform/bounce.rules.test.ts',
      'test/deliverability/suppression.rules.test.ts',
      'test/webhooks/webhooks.rules.test.ts',
      'test/job-console/schedules.rules.test.ts',
      'test/job-console/search.rules.test.ts',
      'test/email-events/rules.test.ts',
      'test/admin/timeline.rules.test.ts',
      'test/platform/job-history.rules.test.ts',
      'test/job-console/bulk.rules.test.ts',
      'test/job-console/metrics.rules.test.ts',
    ],
    pool: 'forks',
    maxWorkers: 1,
  },
});
