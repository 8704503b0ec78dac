import { z } from 'zod';
import { ROLES } from '../platform/db/schema.js';
import { okBody, type Same } from '../platform/http/route-doc.js';
import type { PublicUser } from './users.schemas.js';

/**
 * Response shapes of users (API.md), for OpenAPI and the client. Users owns the user's shape and
 * the role enum; auth (sign-in, /me) and notifications (a batch's role) take them from users/index.ts,
 * so each named component of the document is one object.
 */
export const roleSchema = z.enum(ROLES).meta({ id: 'Role' });

export const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), role: roleSchema }).meta({ id: 'User' });
export const userCreatedBody = okBody(userSchema);

const _user: Same<z.output<typeof userSchema>, PublicUser> = true;
