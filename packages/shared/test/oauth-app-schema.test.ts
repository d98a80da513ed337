import { describe, expect, it } from 'vitest';
import { createOAuthAppInput } from '../src/schemas/oauth-apps.js';
import { SCOPES } from '../src/scopes.js';

const valid = { name: 'App', scopes: ['read:user'] };

describe('createOAuthAppInput', () => {
  it.each([
    ['name trimmed', { ...valid, name: '  App  ' }, { name: 'App' }],
    ['name of 100', { ...valid, name: 'x'.repeat(100) }, { name: 'x'.repeat(100) }],
    ['description trimmed', { ...valid, description: ' hi ' }, { description: 'hi' }],
    [
      'description of 500',
      { ...valid, description: 'd'.repeat(500) },
      { description: 'd'.repeat(500) },
    ],
    ['description "" is absent', { ...valid, description: '' }, { description: undefined }],
    ['description null is absent', { ...valid, description: null }, { description: undefined }],
    ['redirectUri "" is absent', { ...valid, redirectUri: '' }, { redirectUri: undefined }],
    ['redirectUri null is absent', { ...valid, redirectUri: null }, { redirectUri: undefined }],
    [
      'all ten scopes, in order',
      { ...valid, scopes: [...SCOPES].reverse() },
      { scopes: [...SCOPES].reverse() },
    ],
    [
      'unknown fields dropped',
      { ...valid, clientId: 'app_x', isActive: false },
      { clientId: undefined, isActive: undefined },
    ],
  ])('accepts %s', (_, input, expected) => {
    const parsed = createOAuthAppInput.parse(input) as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) expect(parsed[key]).toEqual(value);
  });

  it.each([
    ['name missing', { scopes: ['read:user'] }, 'name', /string/],
    ['name blank', { ...valid, name: '  ' }, 'name', /empty/],
    ['name of 101', { ...valid, name: 'x'.repeat(101) }, 'name', /100/],
    ['description of 501', { ...valid, description: 'd'.repeat(501) }, 'description', /500/],
    ['description a number', { ...valid, description: 5 }, 'description', /string/],
    ['scopes missing', { name: 'App' }, 'scopes', /array/],
    ['no scopes', { ...valid, scopes: [] }, 'scopes', /at least one/],
    ['eleven scopes', { ...valid, scopes: [...SCOPES, 'read:user'] }, 'scopes', /at most 10/],
    ['a duplicate scope', { ...valid, scopes: ['read:user', 'read:user'] }, 'scopes', /duplicates/],
    ['an unknown scope', { ...valid, scopes: ['root'] }, 'scopes', /unknown scope "root"/],
    [
      'a bad redirectUri',
      { ...valid, redirectUri: 'http://example.com' },
      'redirectUri',
      /loopback/,
    ],
    ['redirectUri a number', { ...valid, redirectUri: 42 }, 'redirectUri', /string/],
  ])('rejects %s', (_, input, field, message) => {
    const result = createOAuthAppInput.safeParse(input);
    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((i) => i.path[0] === field);
    expect(issue?.message).toMatch(message);
  });
});
