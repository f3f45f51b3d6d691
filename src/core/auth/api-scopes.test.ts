import { describe, expect, it } from 'vitest';
import { ApiScopes } from './api-keys';

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
