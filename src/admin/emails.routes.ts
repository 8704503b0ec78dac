import { z } from 'zod';
import type { Platform } from '../platform/module.js';
import { paginated, toIso } from '../platform/http/reply.js';
import { paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import { emailsBody } from './admin.responses.js';

const query = z.object({
  ...paginationQuery(50),
  status: z.enum(['sending', 'sent', 'captured', 'failed', 'suppressed', 'cancelled']).optional(),
});

export type AdminEmailRoutesDeps = Pick<Platform, 'email'>;

/** The email log for admins: what was sent, what failed, and (without SMTP_URL) what would have been sent. */
export function adminEmailRoutes(app: Http, deps: AdminEmailRoutesDeps): void {
  app.get('/api/admin/emails', { schema: { querystring: query }, config: { access: 'admin', rateLimit: 'admin.jobs', openapi: { summary: 'The email log (bodies of captured emails)', tags: ['admin'], response: emailsBody } } }, async (request) => {
    const q = request.query;
    const [rows, total] = await deps.email.listEmails({ status: q.status, limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
    return paginated(rows.map((r) => ({
      id: r.id, key: r.key, kind: r.kind, notificationId: r.notification_id, userId: r.user_id, to: r.to_address,
      subject: r.subject, status: r.status, attempts: r.attempts, messageId: r.message_id, error: r.error,
      headers: r.headers, html: r.html, text: r.body_text, createdAt: toIso(r.created_at), sentAt: toIso(r.sent_at),
    })), q.page, q.pageSize, total);
  });
}
