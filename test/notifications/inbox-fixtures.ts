import { expect } from 'vitest';
import type { NotificationView } from '../../src/notifications/notifications.schemas.js';
import type { NotificationPriority, NotificationType } from '../../src/platform/db/schema.js';
import type { Session, TestApp } from '../helpers/context.js';
import type { SseClient } from '../helpers/sse-client.js';

/** Shared by the inbox-*.test.ts files (issue 17): rows written directly, and what a user reads back. */

export interface SeedFields {
  type?: NotificationType;
  priority?: NotificationPriority;
  read?: boolean;
  title?: string;
  createdAt?: Date;
  archivedAt?: Date | null;
  snoozedUntil?: Date | null;
  expiresAt?: Date | null;
}

/** Inserts notifications with exact fields (no delivery work); their ids in order. */
export async function seed(t: TestApp, userId: string, count = 1, fields: SeedFields = {}): Promise<string[]> {
  const rows = await t.app.database.db.insertInto('notifications').values(Array.from({ length: count }, (_, i) => ({
    user_id: userId, type: fields.type ?? 'SYSTEM', title: fields.title ?? `Seeded ${i}`, message: 'm', priority: fields.priority ?? 'MEDIUM',
    read: fields.read ?? false, read_at: fields.read ? new Date() : null, seen_at: fields.read ? new Date() : null,
    created_at: fields.createdAt ?? new Date(), archived_at: fields.archivedAt ?? null, snoozed_until: fields.snoozedUntil ?? null,
    ranked_at: fields.snoozedUntil ?? null, expires_at: fields.expiresAt ?? null,
  }))).returning('id').execute();
  return rows.map((r) => r.id);
}

/** The user's list (one page of up to 100) for a query string. */
export async function list(t: TestApp, user: Session, query = ''): Promise<{ items: NotificationView[]; total: number }> {
  const res = await t.call('GET', `/api/notifications?pageSize=100${query ? `&${query}` : ''}`, { as: user });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { items: res.body.data, total: res.body.pagination.total };
}

export const ids = (page: { items: NotificationView[] }) => page.items.map((n) => n.id);

/** GET /api/notifications/unread-count (optionally by=type): its data. */
export async function counts(t: TestApp, user: Session, byType = false): Promise<{ count: number; unseen: number; byType?: Record<string, number> }> {
  const res = await t.call('GET', `/api/notifications/unread-count${byType ? '?by=type' : ''}`, { as: user });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** POST to the user's notification action route; the response. */
export const act = (t: TestApp, user: Session, id: string, action: string, body?: unknown) =>
  t.call('POST', `/api/notifications/${id}/${action}`, { as: user, body });

export const bulk = (t: TestApp, user: Session, ids: readonly string[], action: string) =>
  t.call('POST', '/api/notifications/bulk', { as: user, body: { ids, action } });

export interface Change {
  action: string;
  ids: string[];
  notifications?: NotificationView[];
}

/** The stream's next `notifications-changed` event (skipping others), parsed. */
export async function nextChange(stream: SseClient, timeoutMs = 10_000): Promise<Change> {
  const frame = await stream.next('notifications-changed', timeoutMs);
  return JSON.parse(frame.data!) as Change;
}

/** The stream's next event, whichever it is, parsed: for order assertions. */
export async function nextEvent(stream: SseClient, timeoutMs = 10_000): Promise<{ event: string; data: unknown }> {
  const frame = await stream.next(undefined, timeoutMs);
  return { event: frame.event!, data: JSON.parse(frame.data!) };
}
