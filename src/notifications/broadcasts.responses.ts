import { z } from 'zod';
import { okBody, pageBody, type Same } from '../platform/http/route-doc.js';
import type { BroadcastPreview } from './broadcasts.service.js';
import { batchSchema } from './notifications.responses.js';

/** Response shapes of the broadcast preview and the batch list (issue 19). */

const count = (text: string) => z.number().int().describe(text);
export const previewBody = okBody(z.object({
  audience: count('users the broadcast would reach (in-app), by the real fan-out\'s rules'),
  skipped: count('ids of userIds that name no user, or repeat one (the real broadcast skips them too)'),
  email: z.object({
    now: count('emailed as soon as delivered'),
    heldForQuietHours: count('emailed when their quiet hours end (inside them now)'),
    digest: count('listed in their next daily or weekly digest instead'),
    none: count('no email: email off, NEVER, type disabled, or address suppressed'),
  }),
  idempotencyKeyUsed: z.boolean().describe('the idempotencyKey was used already: sending this body would create nothing'),
}));
export const batchPage = pageBody(batchSchema);

const _preview: Same<z.output<typeof previewBody>['data'], BroadcastPreview> = true;
