import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmailService } from '../platform/email/email.service.js';
import { emailsBody } from '../docs/admin.responses.js';
import { paginated, toIso } from '../platform/http/reply.js';
import { paginationQuery, parseQuery } from '../platform/http/validation.js';

const query = z.object({
  ...paginationQuery(50),
  status: z.enum(['sending', 'sent', 'captured', 'failed']).optional(),
});

/** The email log for admins: what was sent, what failed, and (without SMTP_URL) what would have been sent. */
export function adminEmailRoutes(app: FastifyInstance, email: EmailService): void {
  app.get('/api/admin/emails', { config: { access: 'admin', rateLimit: 'admin.jobs', openapi: { summary: 'The email log (bodies of captured emails)', tags: ['admin'], query, response: emailsBody } } }, async (request) => {
    const q = parseQuery(query, request.query);
    const [rows, total] = await email.listEmails({ status: q.status, limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
    return paginated(rows.map((r) => ({
      id: r.id, key: r.key, kind: r.kind, notificationId: r.notification_id, userId: r.user_id, to: r.to_address,
      subject: r.subject, status: r.status, attempts: r.attempts, messageId: r.message_id, error: r.error,
      headers: r.headers, html: r.html, text: r.body_text, createdAt: toIso(r.created_at), sentAt: toIso(r.sent_at),
    })), q.page, q.pageSize, total);
  });
}
