import type { MigrationObject } from '@mikro-orm/core';
import { AccessTokens } from './20261127-access-tokens.js';
import { InitialSchema } from './20261127-initial.js';
import { RateLimits } from './20261127-rate-limits.js';
import { TokenSecrets } from './20261201-token-secrets.js';
import { ConstraintNames } from './20261202-constraint-names.js';
import { PlatformResourceServers } from './20261203-platform-resource-servers.js';
import { Sessions } from './20261204-sessions.js';
import { Authorizations } from './20261205-authorizations.js';
import { Events } from './20261206-events.js';
import { ApiKeys } from './20261207-api-keys.js';

/** Every migration, in order. Listed in code so that no file scan is needed at run time. */
export const migrations: MigrationObject[] = [
  { name: '20261127-initial', class: InitialSchema },
  { name: '20261127-access-tokens', class: AccessTokens },
  { name: '20261127-rate-limits', class: RateLimits },
  { name: '20261201-token-secrets', class: TokenSecrets },
  { name: '20261202-constraint-names', class: ConstraintNames },
  { name: '20261203-platform-resource-servers', class: PlatformResourceServers },
  { name: '20261204-sessions', class: Sessions },
  { name: '20261205-authorizations', class: Authorizations },
  { name: '20261206-events', class: Events },
  { name: '20261207-api-keys', class: ApiKeys },
];
