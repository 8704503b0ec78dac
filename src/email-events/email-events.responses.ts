import { z } from 'zod';
import { okBody } from '../platform/http/route-doc.js';

/** Answer of POST /api/webhooks/email/:provider: what herald did with the request. */
export const intakeBody = okBody(z.object({
  outcome: z.enum(['events', 'subscription-confirmed', 'unsubscribe-confirmed', 'ignored'])
    .describe('events: recorded/duplicates say how many; an SNS subscription step; or an event herald does not act on (opens, clicks, sends)'),
  recorded: z.number().int().describe('events stored by this request'),
  duplicates: z.number().int().describe('events this provider had sent before (nothing changed)'),
}));
