import { appRouter, procedureDefinitions } from '@timbrix/api';
import { ACTIONS, type Action } from '@timbrix/shared/authorization';
import { errorBodySchema } from '@timbrix/shared/schemas';
import { SCOPE_DESCRIPTIONS } from '@timbrix/shared/scopes';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { protocolPaths } from '../oauth/index.js';
import { HEADERS, headerRefs, headersOf } from './headers.js';

interface Response {
  description: string;
  content?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}
interface Operation {
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, Response>;
}

const ERROR_CONTENT = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
};

const TAGS = [
  { name: 'auth', description: 'Accounts and session tokens' },
  { name: 'users', description: 'The signed-in person' },
  { name: 'organizations', description: 'Organizations, and invitations into them' },
  { name: 'members', description: 'The people of an organization, and their roles' },
  {
    name: 'oauth',
    description: 'OAuth applications and their tokens, managed by their organization',
  },
  { name: 'oauth2', description: 'The OAuth 2.0 protocol endpoints (RFC 6749, 7009, 7662)' },
  { name: 'api-keys', description: 'An organization’s API keys, for scripts and servers' },
];

/** What any procedure may answer besides its own errors: bodies may be refused, the database away. */
const TRANSPORT_ERRORS: Record<'body' | 'plain', Record<number, string>> = {
  body: {
    413: 'The body is over 64 KiB',
    415: 'The body is not application/json, or in an encoding other than gzip, deflate or br',
    500: 'Internal server error: nothing of it is said, it is in the server’s log',
    503: 'The database is not answering, or the server is busy; try again shortly',
  },
  plain: {
    500: 'Internal server error: nothing of it is said, it is in the server’s log',
    503: 'The database is not answering, or the server is busy; try again shortly',
  },
};

/**
 * Who may call an operation, from the authorization table: a session (the `bearer` scheme),
 * an access token holding any one of the scopes that allow it (one `oauth2` requirement each,
 * since a requirement's scopes are all needed), and an API key (`apiKey`, whose scopes the
 * scheme cannot list: the same as the token's). Public operations list none.
 */
function securityOf(action: Action): Record<string, string[]>[] {
  const rule = ACTIONS[action];
  const credentials: readonly string[] = rule.credentials;
  const tokens = credentials.some((credential) => credential.endsWith('_token'));
  return [
    { bearer: [] },
    ...(tokens ? rule.scopes.map((scope) => ({ oauth2: [scope] })) : []),
    ...(credentials.includes('api_key') ? [{ apiKey: [] }] : []),
  ];
}

/** Corrects a procedure's operation where the generator cannot know better. */
function completeProcedure(
  operation: Operation,
  meta: NonNullable<ReturnType<typeof procedureDefinitions.get>>['meta'],
  schemaId: string | undefined,
  schemas: Record<string, unknown>,
) {
  const openapi = meta!.openapi!;
  if (meta?.successStatus && operation.responses['200']) {
    const success = operation.responses['200'];
    delete operation.responses['200'];
    operation.responses[meta.successStatus] =
      meta.successStatus === 204 ? { description: success.description } : success;
  }
  const transport = TRANSPORT_ERRORS[['GET', 'DELETE'].includes(openapi.method) ? 'plain' : 'body'];
  for (const [status, description] of Object.entries(transport)) {
    operation.responses[status] ??= { description };
  }
  // The generator shares one response object per status across operations (the first
  // operation's words for all): each operation gets its own, in its own words.
  const own = (openapi.errorResponses ?? {}) as Record<string, string>;
  const headers = meta?.successHeaders ?? [];
  for (const [status, response] of Object.entries(operation.responses)) {
    const code = Number(status);
    operation.responses[status] = {
      ...response,
      ...(code >= 400
        ? { description: own[status] ?? response.description, content: ERROR_CONTENT }
        : {}),
      headers: headerRefs(
        headersOf(code, {
          success: headers.includes('Link') ? ['Link'] : [],
          limited: headers.includes('RateLimit'),
        }),
      ),
    };
  }
  operation.security = meta?.action
    ? securityOf(meta.action)
    : meta?.checksApiKey
      ? [{ apiKey: [] }]
      : [];
  const body = operation.requestBody?.content['application/json'];
  if (schemaId && body) {
    schemas[schemaId] = body.schema;
    body.schema = { $ref: `#/components/schemas/${schemaId}` };
  }
}

/**
 * The REST API's OpenAPI 3.1 document, generated from the same procedures and zod schemas
 * that serve requests (and from the OAuth actions' own operations), then corrected where the
 * generator cannot know better: success statuses, error bodies, the headers every answer
 * carries, named request schemas (such as the seed documentation's `CreateOAuthAppDto`).
 * The first server URL is relative, so the interactive docs work at whatever address they
 * are opened.
 */
export function buildOpenApiDocument(issuerUrl: string): OpenAPIObject {
  const document = generateOpenApiDocument(appRouter, {
    title: 'Timbrix API',
    description:
      'REST API with OAuth2 server for managing organizations, members, and OAuth applications',
    version: '1.0',
    baseUrl: '/api',
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'A session token from `POST /api/auth/login`. Where an operation also lists `oauth2`, an access token with one of its scopes does too.',
      },
    },
    tags: TAGS.map((tag) => tag.name),
    defs: { ErrorResponse: errorBodySchema },
    // The OAuth endpoints are plain express handlers: each documents itself.
    paths: protocolPaths() as never,
  });
  document.servers = [
    { url: '/api', description: 'This server, at whatever address it is opened' },
    { url: `${issuerUrl}/api`, description: 'This server at its public address (the issuer)' },
  ];
  document.info.license = { name: 'Proprietary', url: `${issuerUrl}/api/docs` };
  document.tags = TAGS;
  document.components ??= {};
  document.components.headers = HEADERS as never;
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    clientBasic: {
      type: 'http',
      scheme: 'basic',
      description: 'client_secret_basic: the client id and secret (RFC 6749 section 2.3.1)',
    },
    apiKey: {
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
      description:
        'An API key (`sk_…`) of an organization; `Authorization: Bearer sk_…` works too. It acts for its organization as an admin would, with the scopes the `oauth2` requirements of the operation list (docs/authorization.md), from the addresses it allows and within its own limits.',
    },
    oauth2: {
      type: 'oauth2',
      description:
        'An access token of this server (RFC 9068), as `Authorization: Bearer`: it can do what its principal could do, narrowed by its scopes (docs/authorization.md).',
      flows: {
        clientCredentials: {
          tokenUrl: `${issuerUrl}/api/oauth2/token`,
          scopes: SCOPE_DESCRIPTIONS,
        },
        authorizationCode: {
          authorizationUrl: `${issuerUrl}/api/oauth/authorize`,
          tokenUrl: `${issuerUrl}/api/oauth2/token`,
          refreshUrl: `${issuerUrl}/api/oauth2/token`,
          scopes: SCOPE_DESCRIPTIONS,
        },
      },
    },
  } as never;

  const schemas = (document.components.schemas ?? {}) as Record<string, unknown>;
  for (const { meta, inputs } of procedureDefinitions.values()) {
    if (!meta?.openapi) continue;
    const path = document.paths?.[meta.openapi.path];
    const operation = path?.[meta.openapi.method.toLowerCase() as 'get'] as Operation | undefined;
    if (operation) completeProcedure(operation, meta, inputs[0]?.meta?.()?.id, schemas);
  }
  // The protocol's operations list their own success headers; every answer has a request id.
  for (const operation of protocolOperations(document)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      response.headers = { ...headerRefs(headersOf(Number(status))), ...response.headers };
    }
  }
  // The generator's own error schemas are replaced by ErrorResponse everywhere.
  for (const name of Object.keys(schemas)) {
    if (name.startsWith('error.')) delete schemas[name];
  }
  document.components.schemas = schemas as never;
  return document;
}

function protocolOperations(document: OpenAPIObject): Operation[] {
  return Object.entries(protocolPaths()).flatMap(([path, methods]) =>
    Object.keys(methods).map(
      (method) => document.paths?.[path]?.[method as 'post'] as unknown as Operation,
    ),
  );
}
