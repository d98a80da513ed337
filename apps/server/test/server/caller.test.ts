import { randomUUID } from 'node:crypto';
import { NotFoundError } from '@mikro-orm/core';
import { apiErrorFrom, callerFor } from '@timbrix/api';
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { uniqueEmail, uniqueSlug, useTestServer } from '../harness/index.js';

/** Procedures called without HTTP, through `callerFor`: the whole chain, none of the wire. */
const server = useTestServer();
const services = () => server().server.services;

async function failure(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${error}`);
  return error;
}

describe('callerFor', () => {
  it('runs the procedure chain for a principal', async () => {
    const anonymous = callerFor(services(), { kind: 'anonymous' });
    expect((await failure(anonymous.users.me())).code).toBe('UNAUTHORIZED');

    const email = uniqueEmail();
    const { id: userId } = await anonymous.auth.register({ email, password: 'password-123' });
    const person = callerFor(services(), {
      kind: 'session',
      userId,
      sessionId: randomUUID(),
      via: 'bearer',
    });
    const organization = await person.organizations.create({ name: 'Called', slug: uniqueSlug() });
    const app = await callerFor(
      services(),
      { kind: 'session', userId, sessionId: randomUUID(), via: 'bearer' },
      { organizationId: organization.id },
    ).oauthApps.create({ name: 'Called app', scopes: ['read:user'] });

    expect(await person.users.me()).toMatchObject({
      email,
      organizations: [{ id: organization.id, role: 'owner' }],
    });
    expect(await person.oauthApps.byId({ clientId: app.clientId })).toMatchObject({
      name: 'Called app',
    });
  });

  it('answers with the codes of the error map', async () => {
    const { id: userId } = await callerFor(services(), { kind: 'anonymous' }).auth.register({
      email: uniqueEmail(),
      password: 'password-123',
    });
    const person = callerFor(services(), {
      kind: 'session',
      userId,
      sessionId: randomUUID(),
      via: 'bearer',
    });
    const missing = await failure(person.oauthApps.byId({ clientId: 'app_0000000000000000' }));
    expect(missing).toMatchObject({
      code: 'NOT_FOUND',
      errorCode: 'APP_NOT_FOUND',
      message: 'No OAuth application with this clientId',
    });
  });
});

describe('the error map', () => {
  it('turns the ORM’s NotFoundError into a 404, never a 500', () => {
    const mapped = apiErrorFrom(NotFoundError.findOneFailed('OAuthApp', { id: 'x' }));
    expect(mapped).toMatchObject({ status: 404, code: 'NOT_FOUND', errorCode: 'NOT_FOUND' });
  });
});
