import { randomBytes } from 'node:crypto';
import { createTimbrixClient } from '@timbrix/client';

export interface Client {
  clientId: string;
  clientSecret: string;
}

export const basic = ({ clientId, clientSecret }: Client) =>
  `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

/** An account, an organization, 100 apps to spread token requests over, and 100 tokens. */
export async function seed(origin: string) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'bench-password-123';
  const anonymous = createTimbrixClient({ url: origin });
  const { id: userId } = await anonymous.auth.register.mutate({ email, password });
  const { accessToken: session } = await anonymous.auth.login.mutate({ email, password });
  const signedIn = createTimbrixClient({ url: origin, token: session });
  const org = await signedIn.organizations.create.mutate({
    name: 'Benchmarks',
    slug: `bench-${randomBytes(4).toString('hex')}`,
  });
  const inOrg = createTimbrixClient({ url: origin, token: session, organizationId: org.id });
  const clients: Client[] = [];
  for (let i = 0; i < 101; i++) {
    clients.push(
      await inOrg.oauthApps.create.mutate({
        name: `Bench client ${i}`,
        scopes: ['read:organization', 'read:members'],
      }),
    );
  }
  const resourceServer = clients.pop()!;
  const tokens: string[] = [];
  for (const client of clients) {
    const granted = await fetch(`${origin}/api/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: basic(client),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (!granted.ok) throw new Error(`token: ${granted.status} ${await granted.text()}`);
    tokens.push(((await granted.json()) as { access_token: string }).access_token);
  }
  const headers = { authorization: `Bearer ${session}`, 'x-organization-id': org.id };
  return { userId, headers, clients, resourceServer, tokens };
}

export type Seed = Awaited<ReturnType<typeof seed>>;
