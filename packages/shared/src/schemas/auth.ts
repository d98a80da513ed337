import { z } from 'zod';
import { absentIfBlank, emailSchema, idSchema, timestampSchema } from './common.js';

export const passwordSchema = z
  .string({ error: 'password must be a string' })
  .min(8, 'password must be at least 8 characters')
  .max(128, 'password must be at most 128 characters');

export const registerInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.preprocess(
    absentIfBlank,
    z.string().trim().min(1).max(100, 'name must be at most 100 characters').optional(),
  ),
});

export const registeredUser = z.object({
  id: idSchema,
  email: z.string(),
  name: z.string().nullable(),
  createdAt: timestampSchema,
});

export const loginInput = z.object({
  email: z.string({ error: 'email must be a string' }).trim().toLowerCase().min(1).max(254),
  // Not the registration rule: any string may be tried, it just won't match.
  password: z.string({ error: 'password must be a string' }).min(1).max(1024),
});

export const sessionToken = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().meta({ description: 'Seconds until the token expires' }),
});

/** The console's sign-in: the session itself is in an HttpOnly cookie, out of the page's reach. */
export const signedIn = z.object({
  userId: idSchema,
  expiresIn: z.number().int(),
});

export type RegisterInput = z.infer<typeof registerInput>;
export type LoginInput = z.infer<typeof loginInput>;
