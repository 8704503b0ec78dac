import { z } from 'zod';
import { paginated, toIso } from '../platform/http/reply.js';
import { successBody, type RouteDoc } from '../platform/http/route-doc.js';
import { paginationQuery } from '../platform/http/validation.js';
import type { Http } from '../platform/http/zod-provider.js';
import { suppressionsBody } from './suppressions.responses.js';
import type { SuppressionsService } from './suppressions.service.js';

const admin = { access: 'admin', rateLimit: 'admin.jobs' } as const;
const doc = (summary: string, rest: Omit<RouteDoc, 'summary' | 'tags'>) => ({ ...admin, openapi: { summary, tags: ['admin'], ...rest } });

const listQuery = z.object({
  ...paginationQuery(50),
  q: z.string().max(254).optional().describe('case-insensitive part of the address'),
});
// Any text is an address that may be suppressed or not: one that is not answers 404, like an id.
const emailParams = z.object({ email: z.string().min(1).max(320).describe('the address, URL-encoded; case-insensitive') });

/** The suppression list for admins: who herald no longer mails and why, and lifting an address. */
export function suppressionRoutes(app: Http, deps: { readonly suppressions: SuppressionsService }): void {
  const { suppressions } = deps;

  app.get('/api/admin/emails/suppressions', { schema: { querystring: listQuery }, config: doc('Suppressed addresses (newest first)', { response: suppressionsBody }) }, async (request) => {
    const q = request.query;
    const { rows, total } = await suppressions.list({ page: q.page, pageSize: q.pageSize, q: q.q });
    return paginated(rows.map((r) => ({
      email: r.email, reason: r.reason, source: r.source, detail: r.detail, messageId: r.message_id, userId: r.user_id, createdAt: toIso(r.created_at)!,
    })), q.page, q.pageSize, total);
  });

  app.delete('/api/admin/emails/suppressions/:email', {
    schema: { params: emailParams },
    config: doc('Lift a suppression: the address is mailed again (audited)', { response: successBody, errors: { 404: 'Suppression not found' } }),
  }, async (request) => {
    await suppressions.lift(request.params.email, request.user!.id);
    return { success: true };
  });
}
