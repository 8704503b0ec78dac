import { describe, expect, it } from 'vitest';
import { boundReplay } from '../../src/notifications/stream.connection.js';
import type { NotificationView } from '../../src/notifications/notifications.schemas.js';
import { parseEventId } from '../../src/notifications/stream.repository.js';

// The stream's pure parts, without the app (stream.test.ts runs the stream itself).

describe('replay follows commit order (issue 16, point 8)', () => {
  it('event ids carry a cursor; one past the xid8 range is no id at all (no replay, no error)', () => {
    const id = '0b0b0b0b-0000-4000-8000-000000000001';
    expect(parseEventId(`c42_${id}`)).toEqual({ kind: 'cursor', cursor: '42', lastId: id });
    expect(parseEventId(`c18446744073709551616_${id}`)).toBeNull();
    expect(parseEventId(`1760000000000_${id}`)).toEqual({ kind: 'time', ms: 1760000000000, id });
  });
});

describe('a replay is bounded', () => {
  const view = (i: number, message = 'm'): NotificationView => ({
    id: `0b0b0b0b-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'SYSTEM', title: `n${i}`, message, actionUrl: null, priority: 'MEDIUM',
    read: false, readAt: null, seen: false, seenAt: null, archived: false, archivedAt: null, snoozedUntil: null, expiresAt: null, metadata: null, createdAt: '2025-10-18T09:00:00.000Z',
  });

  it('keeps the newest rows that fit, oldest first, and says when some were left out', () => {
    const views = [1, 2, 3, 4].map((i) => view(i));
    expect(boundReplay(views, 10, 1 << 20)).toEqual({ views, truncated: false });
    expect(boundReplay(views, 3, 1 << 20)).toEqual({ views: views.slice(1), truncated: true });
    const big = [view(1, 'x'.repeat(600)), view(2, 'x'.repeat(600))];
    expect(boundReplay(big, 10, 1_400)).toEqual({ views: [big[1]], truncated: true });
  });
});
