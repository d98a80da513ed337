import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  type Action,
  authorizationTableMarkdown,
  can,
  refusal,
} from '../src/authorization.js';
import { SCOPES } from '../src/scopes.js';

const actions = Object.keys(ACTIONS) as Action[];

describe('the authorization table', () => {
  it('is what docs/authorization.md shows', () => {
    const doc = readFileSync(new URL('../../../docs/authorization.md', import.meta.url), 'utf8');
    expect(doc).toContain(authorizationTableMarkdown());
  });

  it('lets a session do what its role may, whatever scopes it does not have', () => {
    expect(refusal('members:manage', { credential: 'session', role: 'admin' })).toBeNull();
    expect(refusal('members:manage', { credential: 'session', role: 'member' })).toBe('role');
    expect(refusal('organization:update', { credential: 'session', role: 'admin' })).toBe('role');
    expect(can('owner', 'organization:delete')).toBe(true);
    expect(can('member', 'members:read')).toBe(true);
  });

  it('narrows a token to its scopes, after its credential and role', () => {
    const app = { credential: 'app_token', role: 'admin' } as const;
    expect(refusal('organization:read', { ...app, scopes: ['read:organization'] })).toBeNull();
    expect(refusal('organization:read', { ...app, scopes: ['read:members'] })).toBe('scope');
    // An app acts as an admin: the owner's powers stay out of reach whatever its scopes.
    expect(refusal('organization:update', { ...app, scopes: ['write:organization'] })).toBe('role');
    expect(refusal('organization:delete', { ...app, scopes: [...SCOPES] })).toBe('credential');
    expect(refusal('account:read', { credential: 'app_token', scopes: ['read:user'] })).toBe(
      'credential',
    );
    expect(refusal('account:read', { credential: 'user_token', scopes: ['read:user'] })).toBeNull();
  });

  it('gives admin:organization exactly what an admin may do', () => {
    const byScope = actions.filter(
      (action) =>
        refusal(action, {
          credential: 'app_token',
          role: 'admin',
          scopes: ['admin:organization'],
        }) === null,
    );
    const byAdmin = actions.filter(
      (action) =>
        refusal(action, { credential: 'session', role: 'admin' }) === null &&
        (ACTIONS[action].credentials as readonly string[]).includes('app_token'),
    );
    expect(byScope.sort()).toEqual(byAdmin.sort());
  });

  it('names only known scopes, and never lets a token do what needs a session', () => {
    for (const action of actions) {
      const rule = ACTIONS[action];
      for (const scope of rule.scopes) expect(SCOPES).toContain(scope);
      if (!(rule.credentials as readonly string[]).some((c) => c !== 'session')) {
        expect(rule.scopes, action).toEqual([]);
      }
    }
  });
});
