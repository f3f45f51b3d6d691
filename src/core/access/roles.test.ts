import { describe, expect, it } from 'vitest';
import {
  allPermissionsOf,
  corePermissions,
  defineOrganizationKind,
  findOrganizationKind,
  hasPermission,
  listOrganizationKinds,
  permissionsBeyond,
  permissionsOf,
} from './roles';

const club = defineOrganizationKind({
  kind: 'roles_test_club',
  label: 'Buyers club',
  roles: {
    treasurer: { label: 'Treasurer', permissions: ['coop.payments.record'] },
    member: { label: 'Household member', permissions: ['coop.orders.place'] },
  },
});

describe('organisation kinds', () => {
  it('gives every kind owner, admin and member, with its own roles between admin and member', () => {
    expect(club.roles.map((r) => [r.role, r.label])).toEqual([
      ['owner', 'Owner'],
      ['admin', 'Admin'],
      ['treasurer', 'Treasurer'],
      ['member', 'Household member'],
    ]);
    expect(club.creatorRole).toBe('owner');
    expect(club.selfService).toBe(true);
    expect(findOrganizationKind('roles_test_club')).toBe(club);
    expect(listOrganizationKinds().map((k) => k.kind)).toContain('roles_test_club');
  });

  it('lets an owner do everything, an admin all but manage owners, and builds other roles on the member', () => {
    const everything = [...Object.keys(corePermissions), 'coop.orders.place', 'coop.payments.record'].sort();
    expect(permissionsOf('roles_test_club', 'owner')).toEqual(everything);
    expect(permissionsOf('roles_test_club', 'admin')).toEqual(
      everything.filter((p) => p !== 'owners.manage'),
    );
    expect(permissionsOf('roles_test_club', 'member')).toEqual([
      'coop.orders.place',
      'members.read',
      'org.read',
    ]);
    expect(permissionsOf('roles_test_club', 'treasurer')).toEqual([
      'coop.orders.place',
      'coop.payments.record',
      'members.read',
      'org.read',
    ]);
    expect(allPermissionsOf('roles_test_club')).toEqual(everything);
    expect(hasPermission('roles_test_club', 'treasurer', 'coop.payments.record')).toBe(true);
    expect(hasPermission('roles_test_club', 'member', 'coop.payments.record')).toBe(false);
    expect(hasPermission('roles_test_club', 'member', 'members.invite')).toBe(false);
    expect(hasPermission('roles_test_club', 'nobody', 'org.read')).toBe(false);
  });

  it('lets a role grant only roles whose permissions it holds: only owners make owners', () => {
    expect(permissionsBeyond('roles_test_club', 'owner', 'owner')).toEqual([]);
    expect(permissionsBeyond('roles_test_club', 'admin', 'owner')).toEqual(['owners.manage']);
    expect(permissionsBeyond('roles_test_club', 'admin', 'admin')).toEqual([]);
    expect(permissionsBeyond('roles_test_club', 'admin', 'treasurer')).toEqual([]);
    expect(permissionsBeyond('roles_test_club', 'treasurer', 'member')).toEqual([]);
    expect(permissionsBeyond('roles_test_club', 'member', 'treasurer')).toEqual(['coop.payments.record']);
  });

  it('falls back to the core roles for a kind this process has not registered, refusing its own roles', () => {
    expect(hasPermission('not_loaded_here', 'owner', 'members.manage')).toBe(true);
    expect(hasPermission('not_loaded_here', 'member', 'org.read')).toBe(true);
    expect(hasPermission('not_loaded_here', 'treasurer', 'org.read')).toBe(false);
  });

  it('refuses definitions a product line would regret', () => {
    const refusals: [string, Parameters<typeof defineOrganizationKind>[0], RegExp][] = [
      ['a second definition', { kind: 'roles_test_club', label: 'Again' }, /already defined/],
      ['a bad kind name', { kind: 'Club!', label: 'Club' }, /lower-case/],
      [
        'a bad role name',
        { kind: 'roles_test_a', label: 'A', roles: { 'Tre asurer': { label: 'T' } } },
        /role/,
      ],
      [
        'a bad permission',
        { kind: 'roles_test_b', label: 'B', roles: { t: { label: 'T', permissions: ['pay'] } } },
        /area\.verb/,
      ],
      [
        'an owner-only permission',
        { kind: 'roles_test_c', label: 'C', roles: { t: { label: 'T', permissions: ['owners.manage'] } } },
        /owners only/,
      ],
      ['an unknown creator role', { kind: 'roles_test_d', label: 'D', creatorRole: 'chair' }, /creator role/],
    ];
    for (const [, definition, message] of refusals) {
      expect(() => defineOrganizationKind(definition)).toThrow(message);
    }
    expect(listOrganizationKinds().map((k) => k.kind)).not.toContain('roles_test_a');
  });
});
