import { z } from 'zod';

/** JSON clients often send `""` or `null` for a field they mean to leave out. */
export const absentIfBlank = (value: unknown) =>
  value === '' || value === null ? undefined : value;

/** Timestamps cross both transports as ISO 8601 strings (`Date#toISOString()`). */
export const timestampSchema = z.iso.datetime();

/**
 * Keeps a number or boolean field of a JSON body strict. The REST adapter marks every plain
 * number and boolean input field as coercing (meant for query strings), which would read the
 * string "false" as true; a field behind a pipe is left as it is.
 */
export const strict = <T extends z.ZodType>(schema: T) => schema.pipe(z.custom<z.output<T>>());

/** How many items a page of a list holds: a query parameter, so a number coerced from text. */
export const pageLimitSchema = z.coerce
  .number({ error: 'limit must be a number' })
  .int('limit must be a whole number')
  .min(1, 'limit must be at least 1')
  .max(100, 'limit must be at most 100')
  .default(100);

export const idSchema = z.uuid({ error: 'must be a UUID' });

export const emailSchema = z
  .string({ error: 'email must be a string' })
  .trim()
  .toLowerCase()
  .max(254, 'email must be at most 254 characters')
  .email('email must be a valid email address');

/** The codes a REST error body names (tRPC's, one per HTTP status). */
export const ERROR_BODY_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'TOO_MANY_REQUESTS',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
] as const;

/** One failing rule of the input, as zod reports it: more fields may say which limit. */
export const validationIssue = z
  .looseObject({
    code: z.string().optional().meta({ example: 'too_small' }),
    path: z.array(z.union([z.string(), z.number()])),
    message: z.string().meta({ example: 'name must not be empty' }),
  })
  .meta({ id: 'ValidationIssue' });

/** The body of every REST error, as the documentation promises. */
export const errorBodySchema = z
  .object({
    statusCode: z.number().int(),
    error: z.string().meta({ example: 'Bad Request' }),
    message: z.string().meta({ example: 'Input validation failed' }),
    code: z.enum(ERROR_BODY_CODES).meta({ description: 'The error’s class, one per status' }),
    issues: z
      .array(validationIssue)
      .optional()
      .meta({ description: 'One entry per failing rule, present on validation errors' }),
  })
  .meta({ id: 'ErrorResponse' });

export type ErrorBody = z.infer<typeof errorBodySchema>;
