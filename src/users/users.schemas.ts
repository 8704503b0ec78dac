import { z } from 'zod';
import { ROLES } from '../platform/db/schema.js';

export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());
export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256);

export const createUserBody = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(ROLES),
});
export type CreateUserInput = z.output<typeof createUserBody>;

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: (typeof ROLES)[number];
}
