import { z } from 'zod';

/** Response shape of GET /api/health (the contract's), for OpenAPI and the client. */
export const serviceHealthBody = z.object({
  success: z.boolean(),
  error: z.string().optional().describe('on 503: what is down'),
  data: z.object({ status: z.enum(['ok', 'unavailable']), postgres: z.enum(['up', 'down']), redis: z.enum(['up', 'down']) }),
});
