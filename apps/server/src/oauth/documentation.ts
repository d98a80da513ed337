import { errorBodySchema, oauthErrorBody } from '@timbrix/shared/schemas';
import type { ZodType } from 'zod';
import { headerRefs, headersOf } from '../openapi/headers.js';

export const formBody = (schema: ZodType) => ({
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema } },
});

export const json = (description: string, schema: ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A token answer: it counts against the client's allowance, whose state it reports. */
export const issuedToken = (description: string, schema: ZodType) => ({
  ...json(description, schema),
  headers: headerRefs(headersOf(200, { limited: true })),
});

/** RFC 6749 section 2.3.1: either method, never both. */
export const CLIENT_AUTH = [{ clientBasic: [] }, {}];

/** What every form endpoint can answer with besides success. */
export const RFC_ERRORS = {
  400: json(
    'invalid_request, invalid_grant, invalid_scope or unsupported_grant_type',
    oauthErrorBody,
  ),
  401: json('invalid_client: unknown client, wrong secret or deactivated app', oauthErrorBody),
  413: json('invalid_request: the body is over 64 KiB, or has too many parameters', oauthErrorBody),
  415: json(
    'invalid_request: the body is not application/x-www-form-urlencoded, or in an encoding other than gzip, deflate or br',
    oauthErrorBody,
  ),
  429: json('too_many_requests: see Retry-After', oauthErrorBody),
  500: json('server_error: nothing of it is said, it is in the server’s log', oauthErrorBody),
  503: json('temporarily_unavailable: the database is not answering', oauthErrorBody),
};

export { errorBodySchema };
