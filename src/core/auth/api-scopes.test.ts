import { describe, expect, it } from 'vitest';
import { ApiScopes, coreScopes } from './api-keys';

// Apart from the route tests: a broken registry fails their setup, which a mutation run does not
// count as a failed test, and these must fail by themselves.
describe('the scopes a key may carry', () => {
  it('refuses a name that is not area:verb, and a scope declared twice', () => {
    for (const bad of ['profile', 'Profile:read', 'profile:Read', 'profile:read:all', ':read', 'a-b:read']) {
      expect(() => new ApiScopes([{ [bad]: 'x' }]), bad).toThrow(`"${bad}" is not a scope name (area:verb)`);
    }
    expect(() => new ApiScopes([{ 'a:read': 'one' }, { 'a:read': 'two' }])).toThrow(
      'scope "a:read" is declared twice',
    );
    expect(() => new ApiScopes([{ 'a:read': ' ' }])).toThrow('scope "a:read" has no description');
  });

  it('has the core’s scopes, each described for the person choosing them', () => {
    const scopes = new ApiScopes([coreScopes]);
    expect(scopes.list().map((s) => s.scope)).toEqual([
      'audit:read',
      'files:read',
      'files:write',
      'notifications:read',
      'notifications:write',
      'orgs:read',
      'orgs:write',
      'profile:read',
      'profile:write',
    ]);
    expect(scopes.list().find((s) => s.scope === 'audit:read')?.description).toBe(
      'Read and export the audit log (an administrator’s key only)',
    );
  });

  it('lists every declared scope once, sorted, with its description', () => {
    const scopes = new ApiScopes([{ 'b:write': 'Write b', 'a_1:read': 'Read a' }, { 'b:read': 'Read b' }]);
    expect(scopes.list()).toEqual([
      { scope: 'a_1:read', description: 'Read a' },
      { scope: 'b:read', description: 'Read b' },
      { scope: 'b:write', description: 'Write b' },
    ]);
    expect(scopes.has('b:read')).toBe(true);
    expect(scopes.has('c:read')).toBe(false);
  });
});
