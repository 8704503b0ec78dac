import type { FastifyError } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.js';
import { RateLimitedError } from '../platform/errors.js';
import { rateLimitHeaders, type RateLimiter } from '../platform/http/rate-limit.js';
import type { Http, ZodTypeProvider } from '../platform/http/zod-provider.js';
import { intakeBody } from './email-events.responses.js';
import { PROVIDERS, type EmailEventsService, type RejectReason } from './email-events.service.js';

export interface EmailEventsRoutesDeps {
  readonly intake: EmailEventsService;
  readonly limiter: RateLimiter;
  readonly config: Pick<Config, 'rateLimits' | 'emailEvents'>;
  /** A refused request, by provider ('unknown' for a name that is none) and reason. */
  readonly onRejected: (provider: string, reason: RejectReason | 'too-large' | 'content-type' | 'rate-limited' | 'other') => void;
}

const FASTIFY_REASONS: Record<string, 'too-large' | 'content-type'> = { FST_ERR_CTP_BODY_TOO_LARGE: 'too-large', FST_ERR_CTP_INVALID_MEDIA_TYPE: 'content-type' };

/**
 * POST /api/webhooks/email/:provider, in a scope of its own: its body parser hands the handler the
 * raw bytes (the generic signature is over them; SNS sends JSON as text/plain), capped at
 * EMAIL_WEBHOOK_BODY_LIMIT_BYTES, without touching the global JSON parser. Public (providers have
 * no session; each is authenticated its own way), limited per client address.
 */
export function emailEventsRoutes(app: Http, deps: EmailEventsRoutesDeps): void {
  const bodyLimit = deps.config.emailEvents.bodyLimitBytes;
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

    // Before the body is read: a flood is refused without reading what it sends.
    scope.addHook('onRequest', async (request, reply) => {
      const { rateLimits } = deps.config;
      if (!rateLimits.enabled) return;
      const result = await deps.limiter.hit('email.webhooks', request.ip, rateLimits.perMinute['email.webhooks']);
      const headers = rateLimitHeaders(result);
      if (!result.allowed) {
        deps.onRejected(providerLabel(request.params), 'rate-limited');
        throw new RateLimitedError({ ...headers, 'retry-after': result.retryAfter });
      }
      void reply.headers(headers);
    });
    scope.addHook('onError', async (request, _reply, error: FastifyError & { reason?: RejectReason }) => {
      if ((error as { status?: number }).status === 429) return;
      deps.onRejected(providerLabel(request.params), error.reason ?? FASTIFY_REASONS[error.code] ?? 'other');
    });

    scope.post('/api/webhooks/email/:provider', {
      bodyLimit,
      schema: { params: z.object({ provider: z.string().max(40) }) },
      config: { access: 'public', rateLimit: 'email.webhooks', openapi: {
        summary: 'Bounce, complaint and delivery reports from an email provider (ses, postmark, generic)',
        description: 'ses: Amazon SES events through an SNS HTTPS subscription (the SNS signature is the authority; subscriptions are confirmed). '
          + 'postmark: Postmark webhooks with HTTP Basic credentials (password = EMAIL_WEBHOOK_SECRET) or X-Herald-Webhook-Secret. '
          + 'generic: `{ id?, type, email, messageId, permanent, at, detail? }` signed with `X-Herald-Signature: sha256=<HMAC-SHA256 hex of the raw body>`. '
          + 'A permanent bounce or a complaint suppresses the address; a repeated event changes nothing. postmark and generic answer 404 while EMAIL_WEBHOOK_SECRET is unset.',
        tags: ['email-events'], response: intakeBody,
        errors: { 400: 'Invalid request body (not JSON, not application/json or text/plain) / Invalid event', 401: 'Unauthorized (signature or credentials)', 404: 'Not found (unknown or unconfigured provider)', 413: 'Request body too large', 503: 'SNS certificate or subscription confirmation unreachable' },
      } },
    }, async (request) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return { success: true as const, data: await deps.intake.receive(request.params.provider, raw, request.headers) };
    });
  });
}

/** The provider label of a metric: one of ours or 'unknown' (a caller must not mint label values). */
function providerLabel(params: unknown): string {
  const p = (params as { provider?: unknown } | undefined)?.provider;
  return typeof p === 'string' && (PROVIDERS as readonly string[]).includes(p) ? p : 'unknown';
}
