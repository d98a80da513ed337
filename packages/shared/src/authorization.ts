import { ROLES, type Role } from './roles.js';
import { PLATFORM_SCOPES, type Scope } from './scopes.js';

/**
 * Who may do what, with which credential: the one table the server enforces and
 * `docs/authorization.md` renders. The rule in one sentence: a credential can do what its
 * principal could do, narrowed by its scopes.
 */

/** What a request can carry to say who is calling. */
export const CREDENTIALS = ['session', 'app_token', 'user_token', 'api_key'] as const;
export type Credential = (typeof CREDENTIALS)[number];

export const CREDENTIAL_DESCRIPTIONS: Record<Credential, string> = {
  session: 'A signed-in person: the session token from `POST /api/auth/login`.',
  app_token:
    'An OAuth access token from the client-credentials grant: acts for its app’s organization as an admin of it would, never as the owner, never in another organization.',
  user_token:
    'An OAuth access token a person granted an app (authorization code): acts as that person would, with their current role, in the app’s organization only.',
  api_key:
    'An API key (`sk_…`, as `X-API-Key` or a bearer token): acts for its organization as an admin of it would, never as the owner, never in another organization.',
};

/** The credentials that act for an organization rather than for a person. */
export const ORGANIZATION_CREDENTIALS = [
  'app_token',
  'api_key',
] as const satisfies readonly Credential[];

/** The role an app's own token and an API key act with, in their organization. */
export const ORGANIZATION_CREDENTIAL_ROLE: Role = 'admin';

/**
 * Scopes with which an app's token stands in every organization, as a platform administrator
 * (acting with the app-token role), and may grant what only platform administrators grant.
 */
export const EVERY_ORGANIZATION_SCOPES: readonly Scope[] = PLATFORM_SCOPES;

export interface ActionRule {
  summary: string;
  /** Roles in the organization that may; absent for what concerns no one organization. */
  roles?: readonly Role[];
  /** Credentials that may at all; any other is refused whatever its scopes. */
  credentials: readonly Credential[];
  /** Any one of these lets an access token do it; a session needs none. */
  scopes: readonly Scope[];
}

const EVERY_ROLE = ROLES;
const MANAGERS = ['owner', 'admin'] as const satisfies readonly Role[];
const ANY_CREDENTIAL = CREDENTIALS;
/**
 * Every credential but an API key. A key mints no credentials (no keys, no apps, no client
 * secrets), so that revoking a key ends all it can do, and every key has a person or an app
 * behind it.
 */
const NOT_A_KEY = ['session', 'app_token', 'user_token'] as const satisfies readonly Credential[];
const A_PERSON = ['session', 'user_token'] as const satisfies readonly Credential[];
const A_SESSION = ['session'] as const satisfies readonly Credential[];
/** Everything an admin can do: `admin:organization` in its organization, `admin:all` in any. */
const AS_ADMIN = ['admin:organization', 'admin:all'] as const satisfies readonly Scope[];

export const ACTIONS = {
  'account:read': {
    summary: 'Read one’s own account and list one’s organizations',
    credentials: A_PERSON,
    scopes: ['read:user'],
  },
  'account:update': {
    summary: 'Change one’s own name',
    credentials: A_PERSON,
    scopes: ['write:user'],
  },
  'account:secure': {
    summary: 'Change one’s password; sign out; sign out everywhere',
    credentials: A_SESSION,
    scopes: [],
  },
  'authorizations:read': {
    summary: 'List the apps one has authorized to act for one',
    credentials: A_PERSON,
    scopes: ['read:user'],
  },
  'authorizations:manage': {
    summary:
      'Approve or deny an app’s authorization request (the console’s cookie only); revoke an app’s authorization',
    credentials: A_SESSION,
    scopes: [],
  },
  'organizations:create': {
    summary: 'Create an organization (and become its owner)',
    credentials: A_SESSION,
    scopes: [],
  },
  'invitations:accept': {
    summary: 'Join an organization with an invitation',
    credentials: A_SESSION,
    scopes: [],
  },
  'users:read': {
    summary: 'Read a person who shares an organization with the caller',
    credentials: ANY_CREDENTIAL,
    scopes: ['read:user', ...AS_ADMIN],
  },
  'users:readOrganizations': {
    summary: 'List the organizations a person shares with the caller, with their role',
    credentials: ANY_CREDENTIAL,
    scopes: ['read:organization', ...AS_ADMIN],
  },
  'organization:read': {
    summary: 'Read the organization',
    roles: EVERY_ROLE,
    credentials: ANY_CREDENTIAL,
    scopes: ['read:organization', ...AS_ADMIN],
  },
  'organization:update': {
    summary: 'Rename the organization, change its logo',
    roles: ['owner'],
    credentials: ANY_CREDENTIAL,
    scopes: ['write:organization'],
  },
  'organization:delete': {
    summary: 'Delete the organization and everything in it',
    roles: ['owner'],
    credentials: A_SESSION,
    scopes: [],
  },
  'members:read': {
    summary: 'List the members',
    roles: EVERY_ROLE,
    credentials: ANY_CREDENTIAL,
    scopes: ['read:members', ...AS_ADMIN],
  },
  'invitations:read': {
    summary: 'List pending invitations',
    roles: MANAGERS,
    credentials: ANY_CREDENTIAL,
    scopes: ['read:members', ...AS_ADMIN],
  },
  'members:manage': {
    summary:
      'Invite, cancel invitations, change roles, remove members (only the owner changes or removes an admin; the owner is never changed or removed)',
    roles: MANAGERS,
    credentials: ANY_CREDENTIAL,
    scopes: ['write:members', ...AS_ADMIN],
  },
  'members:leave': {
    summary: 'Leave the organization (the owner deletes it instead)',
    roles: ['admin', 'member'],
    credentials: A_PERSON,
    scopes: ['write:members'],
  },
  'oauthApps:manage': {
    summary:
      'Register, read, change, rotate, delete OAuth apps and revoke their tokens (an app a token registers gets no scope the token lacks)',
    roles: MANAGERS,
    credentials: NOT_A_KEY,
    scopes: AS_ADMIN,
  },
  'webhooks:read': {
    summary: 'List webhooks and their deliveries',
    roles: MANAGERS,
    credentials: ANY_CREDENTIAL,
    scopes: ['read:webhooks', 'write:webhooks', ...AS_ADMIN],
  },
  'webhooks:manage': {
    summary: 'Create, change, delete webhooks, rotate their secrets, send test events',
    roles: MANAGERS,
    credentials: ANY_CREDENTIAL,
    scopes: ['write:webhooks', ...AS_ADMIN],
  },
  'apiKeys:manage': {
    summary:
      'Create, list, read, change and revoke API keys (a key a token creates gets no scope the token lacks)',
    roles: MANAGERS,
    credentials: NOT_A_KEY,
    scopes: AS_ADMIN,
  },
  'auditLog:read': {
    summary: 'Read the audit log',
    roles: MANAGERS,
    credentials: ANY_CREDENTIAL,
    scopes: AS_ADMIN,
  },
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof ACTIONS;

export interface Standing {
  credential: Credential;
  /** The caller's role in the organization the action concerns, if it concerns one. */
  role?: Role | undefined;
  /** The access token's or API key's scopes; unused for a session. */
  scopes?: readonly Scope[];
}

/** Why an action is refused: the credential can never, the role may not, a scope is missing. */
export type Refusal = 'credential' | 'role' | 'scope';

/** Whether `standing` allows `action`: null if it does, else the first reason it does not. */
export function refusal(
  action: Action,
  { credential, role, scopes = [] }: Standing,
): Refusal | null {
  const rule: ActionRule = ACTIONS[action];
  if (!rule.credentials.includes(credential)) return 'credential';
  if (rule.roles && !(role && rule.roles.includes(role))) return 'role';
  if (credential !== 'session' && !rule.scopes.some((scope) => scopes.includes(scope))) {
    return 'scope';
  }
  return null;
}

/** Whether a person with `role` may do `action` in their organization (with a session). */
export const can = (role: Role, action: Action) =>
  refusal(action, { credential: 'session', role }) === null;

/** The table as Markdown, as `docs/authorization.md` shows it (a test keeps the two equal). */
export function authorizationTableMarkdown(): string {
  const cell = (values: readonly string[]) =>
    values.length ? values.map((v) => `\`${v}\``).join(', ') : '—';
  const rows = Object.entries(ACTIONS).map(([action, rule]: [string, ActionRule]) => {
    const roles = rule.roles ? cell(rule.roles) : '— (no one organization)';
    const tokens = CREDENTIALS.filter((c) => c !== 'session').map((credential) => {
      if (!rule.credentials.includes(credential)) return 'never';
      const actsAsAdmin = (ORGANIZATION_CREDENTIALS as readonly Credential[]).includes(credential);
      if (actsAsAdmin && rule.roles && !rule.roles.includes(ORGANIZATION_CREDENTIAL_ROLE)) {
        return `never (${credential === 'api_key' ? 'a key' : 'an app'} acts as ${ORGANIZATION_CREDENTIAL_ROLE})`;
      }
      return cell(rule.scopes);
    });
    const session = rule.credentials.includes('session') ? 'yes' : 'never';
    return `| \`${action}\` | ${rule.summary} | ${roles} | ${session} | ${tokens.join(' | ')} |`;
  });
  return [
    '| action | what | roles | session | app token: any of | person token: any of | API key: any of |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
