import { z } from 'zod';

/** The per-endpoint rate limits and RATE_LIMIT_OVERRIDES' parser, part of config.ts. */

/** Named per-endpoint limits (requests per user per minute); overridable by RATE_LIMIT_OVERRIDES. */
export const DEFAULT_RATE_LIMITS = {
  'notifications.list': 100,
  'notifications.unreadCount': 200,
  'notifications.markRead': 100,
  'notifications.readAll': 10,
  // Issue 17: a bell opens often; single actions as mark-read; a bulk request carries up to 100 ids.
  'notifications.seenAll': 60,
  'notifications.update': 100,
  'notifications.bulk': 30,
  'notifications.preferences.get': 50,
  'notifications.preferences.update': 10,
  'admin.jobs': 100,
  'analytics.ingest': 600,
  'analytics.read': 300,
  'search': 300,
  'notifications.stream': 30,
  'blog.read': 300,
  'blog.write': 60,
  // Bounce/complaint intake webhooks, per client address (they are public: the provider has no session).
  'email.webhooks': 600,
} as const;
export type RateLimitName = keyof typeof DEFAULT_RATE_LIMITS;

export const overridesSchema = z
  .string()
  .transform((value, ctx) => {
    const out: Partial<Record<RateLimitName, number>> = {};
    for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [name, raw] = part.split('=');
      const limit = Number(raw);
      if (!name || !(name in DEFAULT_RATE_LIMITS) || !Number.isInteger(limit) || limit < 1) {
        ctx.addIssue({ code: 'custom', message: `bad entry "${part}" (expected name=positive integer; names: ${Object.keys(DEFAULT_RATE_LIMITS).join(', ')})` });
        return z.NEVER;
      }
      out[name as RateLimitName] = limit;
    }
    return out;
  });
