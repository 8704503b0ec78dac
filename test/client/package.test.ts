import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * @herald/client as a frontend installs it: built by `npm run build -w @herald/client` (tsc) to
 * packages/client/dist, resolved through the workspace link and the package's `exports`.
 */
const run = promisify(execFile);
const root = new URL('../../', import.meta.url);

describe('@herald/client package', () => {
  it('builds, and both entries import from dist with their types', async () => {
    await run('npm', ['run', 'build', '-w', '@herald/client'], { cwd: root });
    // Through variables: the type-check of the tests must not need a built dist.
    const [main, sub] = ['@herald/client', '@herald/client/react'];
    const client = await import(main) as object;
    expect(Object.keys(client)).toEqual(expect.arrayContaining([
      'createHeraldClient', 'notificationApi', 'adminJobsApi', 'ApiError', 'subscribe', 'formatNotificationTime', 'getPriorityColor', 'getNotificationIcon', 'NOTIFICATION_TYPES',
      'BULK_ACTIONS', 'INBOX_CHANGE_ACTIONS',
    ]));
    const react = await import(sub) as object;
    expect(Object.keys(react)).toEqual(expect.arrayContaining([
      'HeraldProvider', 'useNotifications', 'useUnreadCount', 'useMarkNotificationRead', 'useNotificationPreferences', 'useUpdateNotificationPreferences',
      'useNotificationStream', 'useJobHealth', 'useAggregationLogs', 'useSearchIndexStats', 'useNotificationStats', 'useRetryJob', 'formatNotificationTime',
      'useMarkNotificationUnread', 'useMarkAllNotificationsSeen', 'useArchiveNotification', 'useUnarchiveNotification', 'useSnoozeNotification',
      'useUnsnoozeNotification', 'useBulkNotificationAction', 'streamCacheUpdates', 'applyChange',
    ]));
    for (const file of ['index.d.ts', 'react.d.ts', 'generated.d.ts']) {
      expect((await readFile(new URL(`packages/client/dist/${file}`, root), 'utf8')).length, file).toBeGreaterThan(100);
    }
  }, 60_000);

  it('is publishable: no runtime dependencies, React only as optional peers, only dist shipped', async () => {
    const pkg = JSON.parse(await readFile(new URL('packages/client/package.json', root), 'utf8'));
    expect(pkg.name).toBe('@herald/client');
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependenciesMeta).toEqual({ '@tanstack/react-query': { optional: true }, react: { optional: true } });
    expect(pkg.files).toContain('dist');
    expect(Object.keys(pkg.exports)).toEqual(['.', './react']);
  });
});
