import { ERRORS, procedureDefinitions } from '@timbrix/api';
import { ACTIONS } from '@timbrix/shared/authorization';
import { describe, expect, it } from 'vitest';
import { api, useTestServer } from '../harness/index.js';

const server = useTestServer();

describe('GET /api/openapi.json', () => {
  it('describes POST /oauth/apps as the seed page does, with our stricter rules', async () => {
    const { status, body: doc } = await api(server().url, 'GET', '/openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    // Relative first, so that the docs work at any address; then the issuer's (ISSUER_URL's
    // default is http://localhost:<PORT>, so 3001 outside tests).
    expect(doc.servers.map((s: { url: string }) => s.url)).toEqual([
      '/api',
      `http://localhost:${new URL(server().url).port}/api`,
    ]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.components.securitySchemes.oauth2.flows.clientCredentials).toMatchObject({
      tokenUrl: expect.stringMatching(/\/api\/oauth2\/token$/),
      scopes: expect.objectContaining({ 'admin:organization': expect.any(String) }),
    });

    const operation = doc.paths['/oauth/apps'].post;
    // A session, or an access token with a scope that allows registering apps (never a key).
    expect(operation.security).toEqual([
      { bearer: [] },
      { oauth2: ['admin:organization'] },
      { oauth2: ['admin:all'] },
    ]);
    // The seed's statuses, with 201 rather than 200, and what any request may meet besides.
    expect(Object.keys(operation.responses).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);
    expect(operation.responses['403'].description).toMatch(/Only owners and admins/);
    expect(operation.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateOAuthAppDto',
    });

    const dto = doc.components.schemas.CreateOAuthAppDto;
    expect(dto.required).toEqual(['name', 'scopes']);
    expect(dto.properties.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 100 });
    expect(dto.properties.description).toMatchObject({ type: 'string', maxLength: 500 });
    expect(dto.properties.redirectUri).toMatchObject({ type: 'string', maxLength: 2048 });
    expect(dto.properties.scopes).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: {
        type: 'string',
        enum: [
          'read:user',
          'write:user',
          'read:organization',
          'write:organization',
          'read:members',
          'write:members',
          'read:webhooks',
          'write:webhooks',
          'admin:organization',
          'admin:all',
        ],
      },
    });

    const created = operation.responses['201'].content['application/json'].schema;
    expect(Object.keys(created.properties)).toEqual([
      'clientId',
      'clientSecret',
      'name',
      'description',
      'redirectUri',
      'scopes',
      'isActive',
      'createdAt',
      'organizationId',
    ]);
  });

  it('lists every REST route with its real statuses, the RFC form endpoints included', async () => {
    const { body: doc } = await api(server().url, 'GET', '/openapi.json');
    const documented = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, methods]) =>
      Object.entries<any>(methods).map(
        ([method, operation]) =>
          `${method.toUpperCase()} ${path} ${Object.keys(operation.responses).sort().join(',')}`,
      ),
    );
    expect(documented.sort()).toEqual(
      [
        'DELETE /oauth/apps/{clientId} 204,400,401,403,404,429,500,503',
        'DELETE /oauth/token/{tokenId} 204,400,401,403,404,429,500,503',
        'DELETE /organizations/{organizationId} 204,400,401,403,429,500,503',
        'DELETE /organizations/{organizationId}/api-keys/{keyId} 204,400,401,403,404,429,500,503',
        'DELETE /organizations/{organizationId}/invitations/{invitationId} 204,400,401,403,404,429,500,503',
        'DELETE /organizations/{organizationId}/members/{memberId} 204,400,401,403,404,429,500,503',
        'DELETE /organizations/{organizationId}/webhooks/{webhookId} 204,400,401,403,404,429,500,503',
        'DELETE /users/me/authorizations/{clientId} 204,400,401,403,404,429,500,503',
        'GET /oauth/apps/organization/{organizationId} 200,400,401,403,429,500,503',
        'GET /oauth/apps/{clientId} 200,400,401,403,404,429,500,503',
        'GET /oauth/apps/{clientId}/tokens 200,400,401,403,404,429,500,503',
        'GET /oauth/authorize 302,400,429,500,503',
        'GET /organizations/{organizationId} 200,400,401,403,429,500,503',
        'GET /organizations/{organizationId}/api-keys 200,400,401,403,429,500,503',
        'GET /organizations/{organizationId}/api-keys/{keyId} 200,400,401,403,404,429,500,503',
        'GET /organizations/{organizationId}/audit-log 200,400,401,403,429,500,503',
        'GET /organizations/{organizationId}/invitations 200,400,401,403,429,500,503',
        'GET /organizations/{organizationId}/members 200,400,401,403,429,500,503',
        'GET /organizations/{organizationId}/webhooks 200,400,401,403,429,500,503',
        'GET /organizations/{organizationId}/webhooks/{webhookId} 200,400,401,403,404,429,500,503',
        'GET /organizations/{organizationId}/webhooks/{webhookId}/deliveries 200,400,401,403,404,429,500,503',
        'GET /users/me 200,401,403,429,500,503',
        'GET /users/me/authorizations 200,401,403,429,500,503',
        'GET /users/me/organizations 200,401,403,429,500,503',
        'GET /users/{userId} 200,400,401,403,404,429,500,503',
        'GET /users/{userId}/organizations 200,400,401,403,404,429,500,503',
        'PATCH /oauth/apps/{clientId} 200,400,401,403,404,413,415,429,500,503',
        'PATCH /organizations/{organizationId}/api-keys/{keyId} 200,400,401,403,404,409,413,415,429,500,503',
        'PATCH /users/me 200,400,401,403,413,415,429,500,503',
        'POST /api-keys/validate 200,400,403,413,415,429,500,503',
        'POST /auth/login 200,400,401,413,415,429,500,503',
        'POST /auth/logout 204,401,403,413,415,429,500,503',
        'POST /auth/logout-all 204,401,403,413,415,429,500,503',
        'POST /auth/register 201,400,409,413,415,429,500,503',
        'POST /invites/accept 200,400,401,403,404,409,413,415,429,500,503',
        'POST /oauth/apps 201,400,401,403,413,415,429,500,503',
        'POST /oauth/apps/{clientId}/secret 201,400,401,403,404,413,415,429,500,503',
        'POST /oauth/token 200,400,401,413,415,429,500,503',
        'POST /oauth/token/exchange 200,400,401,413,415,429,500,503',
        'POST /oauth/token/refresh 200,400,401,413,415,429,500,503',
        'POST /oauth2/introspect 200,400,401,413,415,429,500,503',
        'POST /oauth2/revoke 200,400,401,413,415,429,500,503',
        'POST /oauth2/token 200,400,401,413,415,429,500,503',
        'POST /organizations 201,400,401,403,409,413,415,429,500,503',
        'POST /organizations/{organizationId}/api-keys 201,400,401,403,413,415,429,500,503',
        'POST /organizations/{organizationId}/members/invite 201,400,401,403,409,413,415,429,500,503',
        'POST /organizations/{organizationId}/webhooks 201,400,401,403,413,415,429,500,503',
        'POST /organizations/{organizationId}/webhooks/{webhookId}/secret 201,400,401,403,404,413,415,429,500,503',
        'POST /organizations/{organizationId}/webhooks/{webhookId}/test 202,400,401,403,404,413,415,429,500,503',
        'PUT /organizations/{organizationId} 200,400,401,403,413,415,429,500,503',
        'PUT /organizations/{organizationId}/members/{memberId}/role 200,400,401,403,404,413,415,429,500,503',
        'PUT /organizations/{organizationId}/webhooks/{webhookId} 200,400,401,403,404,413,415,429,500,503',
      ].sort(),
    );
    const form = doc.paths['/oauth2/token'].post.requestBody.content;
    expect(Object.keys(form)).toEqual(['application/x-www-form-urlencoded']);
    expect(doc.components.securitySchemes.clientBasic).toMatchObject({
      type: 'http',
      scheme: 'basic',
    });
  });

  it('documents every error with the documented error bodies', async () => {
    const { body: doc } = await api(server().url, 'GET', '/openapi.json');
    expect(doc.components.schemas.ErrorResponse.required).toEqual([
      'statusCode',
      'error',
      'message',
      'code',
    ]);
    const protocol = new Set([
      '/oauth/token',
      '/oauth/token/exchange',
      '/oauth/token/refresh',
      '/oauth2/token',
      '/oauth2/introspect',
      '/oauth2/revoke',
    ]);
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(methods)) {
        for (const [code, response] of Object.entries<any>(operation.responses)) {
          if (Number(code) < 400) continue;
          // The authorization endpoint is a browser's: its errors are pages (or redirects).
          if (path === '/oauth/authorize') {
            expect(Object.keys(response.content)).toEqual(['text/html']);
            continue;
          }
          const { $ref } = response.content['application/json'].schema;
          const allowed = protocol.has(path)
            ? ['OAuthError', 'OAuthJsonError', 'ErrorResponse']
            : ['ErrorResponse'];
          expect(
            allowed.map((name) => `#/components/schemas/${name}`),
            `${method} ${path} ${code}`,
          ).toContain($ref);
        }
      }
    }
    expect(Object.keys(doc.paths['/auth/register'].post.responses)).toContain('201');
    expect(doc.paths['/auth/login'].post.responses['200']).toBeDefined();
  });

  it('serves interactive docs at /api/docs', async () => {
    const response = await fetch(`${server().url}/api/docs/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });
});

describe('health and readiness', () => {
  it('GET /api/health answers 200', async () => {
    const response = await api(server().url, 'GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /api/ready answers 200 while the database answers', async () => {
    const response = await api(server().url, 'GET', '/ready');
    expect(response.status).toBe(200);
  });

  it('answers unknown routes with a 404 in the documented shape, and a request id', async () => {
    const response = await api(server().url, 'GET', '/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'No such route',
      code: 'NOT_FOUND',
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('each operation’s own errors', () => {
  it('says who may call each operation, from the authorization table', async () => {
    const { body: doc } = await api(server().url, 'GET', '/openapi.json');
    for (const { meta } of procedureDefinitions.values()) {
      if (!meta?.openapi) continue;
      const { security } = doc.paths[meta.openapi.path][meta.openapi.method.toLowerCase()];
      const where = `${meta.openapi.method} ${meta.openapi.path}`;
      // Only signing up and signing in need no credential; checking an API key needs the key.
      if (!meta.action) {
        expect(
          ['POST /auth/register', 'POST /auth/login', 'POST /api-keys/validate'],
          where,
        ).toContain(where);
        expect(security, where).toEqual(where.includes('api-keys') ? [{ apiKey: [] }] : []);
        continue;
      }
      const rule = ACTIONS[meta.action];
      const credentials: readonly string[] = rule.credentials;
      const tokens = credentials.some((credential) => credential.endsWith('_token'));
      expect(security, where).toEqual([
        { bearer: [] },
        ...(tokens ? rule.scopes.map((scope) => ({ oauth2: [scope] })) : []),
        ...(credentials.includes('api_key') ? [{ apiKey: [] }] : []),
      ]);
    }
    expect(doc.paths['/organizations/{organizationId}'].delete.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/organizations/{organizationId}/members'].get.security).toEqual([
      { bearer: [] },
      { oauth2: ['read:members'] },
      { oauth2: ['admin:organization'] },
      { oauth2: ['admin:all'] },
      { apiKey: [] },
    ]);
    // A key never manages keys: a person or an app is behind every one.
    expect(doc.paths['/organizations/{organizationId}/api-keys'].post.security).toEqual([
      { bearer: [] },
      { oauth2: ['admin:organization'] },
      { oauth2: ['admin:all'] },
    ]);
  });

  it('documents exactly the error codes its procedure declares, in their own words', async () => {
    const { body: doc } = await api(server().url, 'GET', '/openapi.json');
    const transport = new Set(['413', '415', '500', '503']);
    for (const { meta } of procedureDefinitions.values()) {
      if (!meta?.openapi) continue;
      const operation = doc.paths[meta.openapi.path][meta.openapi.method.toLowerCase()];
      const declared = new Map<string, string[]>();
      for (const code of meta.errors ?? []) {
        const { status, message } = ERRORS[code];
        declared.set(String(status), [...(declared.get(String(status)) ?? []), message]);
      }
      const documented = Object.entries<{ description: string }>(operation.responses).filter(
        ([status]) => Number(status) >= 400 && !transport.has(status),
      );
      const where = `${meta.openapi.method} ${meta.openapi.path}`;
      expect(documented.map(([status]) => status).sort(), where).toEqual(
        [...declared.keys()].sort(),
      );
      for (const [status, response] of documented) {
        expect(response.description, `${where} ${status}`).toBe(
          [...new Set(declared.get(status))].join(' / '),
        );
      }
    }
  });
});
