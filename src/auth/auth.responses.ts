import { z } from 'zod';
import { okBody } from '../platform/http/route-doc.js';
import { userSchema } from '../users/index.js';

/** Response shapes of sign-in and /me (API.md), for OpenAPI and the client; the user's shape is users'. */
export const loginResultBody = okBody(z.object({ user: userSchema, token: z.string().describe('also set as the HttpOnly session cookie') }));
export const meBody = z.object({ success: z.literal(true), user: userSchema });
