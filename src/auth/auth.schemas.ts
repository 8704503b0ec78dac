import { z } from 'zod';

// Login checks credentials, not password policy: any non-empty string may be tried.
export const loginBody = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(256),
});
