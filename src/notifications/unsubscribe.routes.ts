import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { escapeHtml } from '../platform/email/layout.js';
import { pageHelmet, pageRoutes } from '../platform/http/page-security.js';
import { okBody } from '../platform/http/route-doc.js';
import type { Http, ZodTypeProvider } from '../platform/http/zod-provider.js';
import type { NotificationsService } from './notifications.service.js';
import { verifyUnsubscribeToken } from './unsubscribe.token.js';

/** The signed token; a malformed query (a repeated or overlong token) is just an invalid link, never a 400 or 500. */
const query = z.object({ token: z.string().max(200).default('').catch('') });

function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933">
<h1 style="font-size:1.4rem">${escapeHtml(title)}</h1>${body}</body></html>`);
}

// The page is static text with inline styles and one form posting back here; nothing else may load.
const PAGE_SECURITY = pageHelmet({
  'default-src': ["'none'"], 'style-src': ["'unsafe-inline'"], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"],
});

const wantsHtml = (request: FastifyRequest) => /text\/html/.test(request.headers.accept ?? '');

/**
 * RFC 8058 one-click unsubscribe, no login: the signed token in the URL is the authority. GET only
 * shows a confirmation page (mail scanners prefetch links); POST turns email off.
 */
export interface UnsubscribeRoutesDeps {
  readonly notifications: Pick<NotificationsService, 'unsubscribeEmail'>;
  /** The HMAC key of the links' tokens. */
  readonly secret: string;
}

export function unsubscribeRoutes(app: Http, deps: UnsubscribeRoutesDeps): void {
  const { notifications, secret } = deps;
  pageRoutes(app, (pages) => {
    const scope = pages.withTypeProvider<ZodTypeProvider>();
    // Mail clients send the one-click POST as a form (`List-Unsubscribe=One-Click`); its body is not needed.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, _body, done) => done(null, {}));

    scope.get('/api/notifications/unsubscribe', { ...PAGE_SECURITY, schema: { querystring: query }, config: { access: 'public', openapi: {
      summary: 'Unsubscribe confirmation page (emails link here)', tags: ['notifications'], contentType: 'text/html',
      response: z.string().describe('an HTML page with the one-click form'), errors: { 400: 'This unsubscribe link is not valid' },
    } } }, async (request, reply) => {
      const { token } = request.query;
      const check = verifyUnsubscribeToken(secret, token);
      if (!check.ok) return page(reply, 400, 'This unsubscribe link is not valid', '<p>It may have expired. You can turn emails off in your notification preferences.</p>');
      return page(reply, 200, 'Unsubscribe from emails?', `<p>You will stop receiving notification emails. In-app notifications continue.</p>
<form method="post" action="/api/notifications/unsubscribe?token=${escapeHtml(encodeURIComponent(token))}">
<button type="submit" style="font-size:1rem;padding:.6rem 1.2rem">Unsubscribe</button></form>`);
    });

    scope.post('/api/notifications/unsubscribe', { ...PAGE_SECURITY, schema: { querystring: query }, config: { access: 'public', openapi: {
      summary: 'RFC 8058 one-click unsubscribe: email off', description: 'The signed token is the authority. Answers HTML when the request accepts text/html.',
      tags: ['notifications'], response: okBody(z.object({ emailEnabled: z.boolean() })), errors: { 400: 'Invalid or expired unsubscribe link' },
    } } }, async (request, reply) => {
      const { token } = request.query;
      const check = verifyUnsubscribeToken(secret, token);
      if (!check.ok) {
        if (wantsHtml(request)) return page(reply, 400, 'This unsubscribe link is not valid', '<p>It may have expired.</p>');
        return reply.status(400).send({ success: false, error: 'Invalid or expired unsubscribe link' });
      }
      const prefs = await notifications.unsubscribeEmail(check.userId);
      if (!prefs) return reply.status(404).send({ success: false, error: 'Not found' });
      if (wantsHtml(request)) return page(reply, 200, 'You are unsubscribed', '<p>You will no longer receive notification emails. You can turn them back on in your notification preferences.</p>');
      return { success: true, data: { emailEnabled: prefs.emailEnabled } };
    });
  });
}
