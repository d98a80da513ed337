import { appRouter, procedureDefinitions } from '@timbrix/api';
import { errorBodySchema } from '@timbrix/shared/schemas';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { protocolPaths } from './oauth/index.js';

type Operation = {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
};

const ERROR_CONTENT = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
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
    // The OAuth endpoints are plain express handlers: each documents itself.
    paths: protocolPaths() as never,
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
