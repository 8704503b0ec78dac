import { z } from 'zod';
import type { EmailSummaryRow } from '../platform/email/email-log.reads.js';
import { ok, paginated, toIso } from '../platform/http/reply.js';
import { paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import type { HistoryItem } from './admin.ports.js';
import { adminNotificationsBody, emailSummaryBody, timelineBody } from './timeline.responses.js';
import type { TimelineService } from './timeline.service.js';

const searchQuery = z.object({
  ...paginationQuery(20),
  id: z.string().min(1).max(100).optional(),
  userId: z.string().min(1).max(100).optional(),
  email: z.string().min(1).max(320).optional(),
}).refine((q) => [q.id, q.userId, q.email].filter((v) => v !== undefined).length === 1, { message: 'exactly one of id, userId or email is required' });

const idParams = z.object({ id: z.string() });

const summaryQuery = z.object({
  hours: z.string().regex(/^\d{1,3}$/, 'must be an integer from 1 to 720').transform(Number).pipe(z.number().int().min(1).max(720)).optional().default(24),
});

const itemView = (n: HistoryItem) => ({
  id: n.id, userId: n.userId, userEmail: n.userEmail, type: n.type, title: n.title, priority: n.priority, critical: n.critical, batchId: n.batchId,
  createdAt: toIso(n.createdAt)!, seenAt: toIso(n.seenAt), readAt: toIso(n.readAt), archivedAt: toIso(n.archivedAt),
  snoozedUntil: toIso(n.snoozedUntil), expiresAt: toIso(n.expiresAt),
});

function summaryView(rows: readonly EmailSummaryRow[]) {
  const byStatus: Record<string, number> = {};
  const byTransport: Record<string, number> = {};
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.count;
    byTransport[r.transport ?? 'none'] = (byTransport[r.transport ?? 'none'] ?? 0) + r.count;
  }
  return { total: rows.reduce((sum, r) => sum + r.count, 0), byStatus, byTransport, rows: rows.map((r) => ({ ...r })) };
}

/** Tracing a message for admins: find notifications, read one's timeline, and the email outcomes of the last hours. */
export function adminTimelineRoutes(app: Http, deps: { timeline: TimelineService }): void {
  const doc = (summary: string, response: z.ZodType, errors?: Record<number, string>) =>
    ({ access: 'admin' as const, rateLimit: 'admin.jobs' as const, openapi: { summary, tags: ['admin'], response, ...(errors ? { errors } : {}) } });

  app.get('/api/admin/notifications', { schema: { querystring: searchQuery }, config: doc('Find notifications by id, user id or user email (exactly one), newest first', adminNotificationsBody) }, async (request) => {
    const q = request.query;
    const { items, total } = await deps.timeline.search(q);
    return paginated(items.map(itemView), q.page, q.pageSize, total);
  });

  app.get('/api/admin/notifications/:id/timeline', { schema: { params: idParams }, config: doc('One notification\'s life in time order: created, relayed, seen, read, emailed, delivered or bounced', timelineBody, { 404: 'Notification not found' }) }, async (request) => {
    const { notification, events } = await deps.timeline.timeline(request.params.id);
    return ok({ notification: itemView(notification), events: events.map((e) => ({ at: toIso(e.at)!, stage: e.stage, detail: e.detail })) });
  });

  app.get('/api/admin/emails/summary', { schema: { querystring: summaryQuery }, config: doc('Emails of the last hours by outcome and transport', emailSummaryBody) }, async (request) => {
    const { hours } = request.query;
    const { since, rows } = await deps.timeline.emailSummary(hours);
    return ok({ since: toIso(since)!, hours, ...summaryView(rows) });
  });
}
