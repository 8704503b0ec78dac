import { z } from 'zod';
import { SUPPRESSION_REASONS } from '../platform/db/schema.delivery.js';
import { isoTimestamp, pageBody } from '../platform/http/route-doc.js';

export const suppressionSchema = z.object({
  email: z.string(),
  reason: z.enum(SUPPRESSION_REASONS),
  source: z.string().describe("'smtp' (a permanent refusal at hand-off) or the reporting provider: 'ses', 'postmark', 'generic'"),
  detail: z.string().nullable().describe('the SMTP answer or the provider diagnostic'),
  messageId: z.string().nullable(),
  userId: z.string().nullable(),
  createdAt: isoTimestamp,
}).meta({ id: 'EmailSuppression' });
export const suppressionsBody = pageBody(suppressionSchema);
