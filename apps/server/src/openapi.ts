import {
  errorBodySchema,
  introspectionRequestForm,
  introspectionResponse,
  oauthErrorBody,
  oauthJsonErrorBody,
  revocationRequestForm,
  tokenRequestForm,
  tokenRequestJson,
  tokenResponse,
} from '@timbrix/shared/schemas';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import type { ZodType } from 'zod';
import { appRouter, procedureDefinitions } from './routers/_app.js';

type Operation = {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
};

const ERROR_CONTENT = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
};

const formBody = (schema: ZodType) => ({
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema } },
});
const json = (description: string, schema: ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});
// RFC 6749 section 2.3.1: either method, never both.
const CLIENT_AUTH = [{ clientBasic: [] }, {}];
const RFC_ERRORS = {
  400: json('invalid_request, invalid_scope or unsupported_grant_type', oauthErrorBody),
  401: json('invalid_client: unknown client, wrong secret or deactivated app', oauthErrorBody),
  413: json('invalid_request: the body is over 64 KiB, or has too many parameters', oauthErrorBody),
  415: json(
    'invalid_request: the body is not application/x-www-form-urlencoded, or in an encoding other than gzip, deflate or br',
    oauthErrorBody,
  ),
  429: json('too_many_requests: see Retry-After', oauthErrorBody),
  503: json('temporarily_unavailable: the database is not answering', oauthErrorBody),
};

/** What any procedure may answer besides its own errors, by method. */
const COMMON_ERRORS: Record<string, Record<number, string>> = {
  body: {
    413: 'The body is over 64 KiB',
    415: 'The body is not application/json',
    503: 'The database is not answering; try again shortly',
  },
  plain: { 503: 'The database is not answering; try again shortly' },
};

/** The OAuth protocol endpoints: plain express handlers, documented here by hand. */
const oauthPaths = {
  '/oauth2/token': {
    post: {
      operationId: 'oauth2-token',
      tags: ['oauth2'],
      summary: 'Client credentials grant (RFC 6749 section 4.4)',
      description:
        'Client authentication by client_secret_basic or client_secret_post. `scope` is space-separated and within the app’s scopes; absent, all of them are granted.',
      security: CLIENT_AUTH,
      requestBody: formBody(tokenRequestForm),
      responses: { 200: json('An access token (RFC 9068 JWT)', tokenResponse), ...RFC_ERRORS },
    },
  },
  '/oauth/token': {
    post: {
      operationId: 'oauth-token',
      tags: ['oauth'],
      summary: 'Client credentials grant, documented JSON form',
      description: 'The same grant and token as /oauth2/token, for JSON clients.',
      security: [],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: tokenRequestJson } },
      },
      responses: {
        200: json('An access token (RFC 9068 JWT)', tokenResponse),
        400: json('invalid_request or invalid_scope', oauthJsonErrorBody),
        401: json('invalid_client', oauthJsonErrorBody),
        413: json('invalid_request: the body is over 64 KiB', oauthJsonErrorBody),
        415: json('invalid_request: the body is not application/json', oauthJsonErrorBody),
        429: json('too_many_requests: see Retry-After', oauthJsonErrorBody),
        503: json('temporarily_unavailable: the database is not answering', oauthJsonErrorBody),
      },
    },
  },
  '/oauth2/introspect': {
    post: {
      operationId: 'oauth2-introspect',
      tags: ['oauth2'],
      summary: 'Token introspection (RFC 7662)',
      description:
        'The caller authenticates as a client. Tokens of its own organization answer with their claims; any other, expired, revoked or unknown token answers `{"active": false}`.',
      security: CLIENT_AUTH,
      requestBody: formBody(introspectionRequestForm),
      responses: { 200: json('The token’s state', introspectionResponse), ...RFC_ERRORS },
    },
  },
  '/oauth2/revoke': {
    post: {
      operationId: 'oauth2-revoke',
      tags: ['oauth2'],
      summary: 'Token revocation (RFC 7009)',
      description:
        'A client revokes its own tokens. Any other token answers 200 too and stays as it was.',
      security: CLIENT_AUTH,
      requestBody: formBody(revocationRequestForm),
      responses: { 200: { description: 'Revoked, or not this client’s token' }, ...RFC_ERRORS },
    },
  },
};

/**
 * The REST API's OpenAPI 3.1 document, generated from the same procedures and zod schemas
 * that serve requests, then corrected where the generator cannot know better: the success
 * status of each operation, the documented error body, and named request schemas (such as
 * the seed documentation's `CreateOAuthAppDto`).
 */
export function buildOpenApiDocument(apiBaseUrl: string): OpenAPIObject {
  const document = generateOpenApiDocument(appRouter, {
    title: 'Timbrix API',
    description:
      'REST API with OAuth2 server for managing organizations, members, and OAuth applications',
    version: '1.0',
    baseUrl: apiBaseUrl,
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    tags: ['auth', 'users', 'organizations', 'oauth', 'oauth2'],
    defs: { ErrorResponse: errorBodySchema },
    paths: oauthPaths as never,
  });
  document.components ??= {};
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    clientBasic: {
      type: 'http',
      scheme: 'basic',
      description: 'client_secret_basic: the client id and secret (RFC 6749 section 2.3.1)',
    },
  };

  const schemas = document.components.schemas ?? {};
  for (const { meta, inputs } of procedureDefinitions.values()) {
    if (!meta?.openapi) continue;
    const operation = document.paths?.[meta.openapi.path]?.[
      meta.openapi.method.toLowerCase() as 'get'
    ] as Operation | undefined;
    if (!operation) continue;

    if (meta.successStatus && operation.responses['200']) {
      const success = operation.responses['200'];
      delete operation.responses['200'];
      operation.responses[meta.successStatus] =
        meta.successStatus === 204 ? { description: success.description } : success;
    }
    const common =
      COMMON_ERRORS[['GET', 'DELETE'].includes(meta.openapi.method) ? 'plain' : 'body']!;
    for (const [status, description] of Object.entries(common)) {
      operation.responses[status] ??= { description };
    }
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) >= 400) response.content = ERROR_CONTENT;
    }
    const schemaId = inputs[0]?.meta?.()?.id;
    const body = operation.requestBody?.content['application/json'];
    if (schemaId && body) {
      schemas[schemaId] = body.schema as never;
      body.schema = { $ref: `#/components/schemas/${schemaId}` };
    }
  }
  document.components.schemas = schemas;

  // The generator's own error schemas are replaced by ErrorResponse everywhere.
  for (const name of Object.keys(schemas)) {
    if (name.startsWith('error.')) delete schemas[name];
  }
  return document;
}
