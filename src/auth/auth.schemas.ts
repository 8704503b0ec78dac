import { z } from 'zod';
import { passwordSchema } from '../users/index.js';

// Login checks credentials, not password policy: any non-empty string may be tried.
export const loginBody = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(256),
});

/** The new password follows the policy of new accounts (and a few rules the service checks). */
export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: passwordSchema,
});
export type ChangePasswordInput = z.output<typeof changePasswordBody>;
