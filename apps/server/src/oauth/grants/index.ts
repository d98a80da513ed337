import { authorizationCode } from './authorization-code.js';
import { clientCredentials } from './client-credentials.js';
import type { Grant } from './grant.js';
import { refreshToken } from './refresh-token.js';

export type { Grant, GrantContext } from './grant.js';

/** Every grant the token endpoint speaks, by `grant_type`; the metadata is built from it. */
export const GRANTS: ReadonlyMap<string, Grant> = new Map(
  [authorizationCode, clientCredentials, refreshToken].map((grant) => [grant.grantType, grant]),
);
