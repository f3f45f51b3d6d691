import { describe, expect, it } from 'vitest';
import {
  corePermissions,
  defineOrganizationKind,
  hasPermission,
  OrganizationKinds,
  permissionsBeyond,
  permissionsOf,
  teamKind,
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
    const kinds = new OrganizationKinds([club]);
    expect(kinds.find('roles_test_club')).toBe(club);
    expect(kinds.list()).toEqual([club, teamKind]);
  });

  it('lets an owner do everything, an admin all but manage owners, and builds other roles on the member', () => {
    const everything = [...Object.keys(corePermissions), 'coop.orders.place', 'coop.payments.record'].sort();
    expect(permissionsOf(club, 'owner')).toEqual(everything);
    expect(permissionsOf(club, 'admin')).toEqual(everything.filter((p) => p !== 'owners.manage'));
    expect(permissionsOf(club, 'member')).toEqual(['coop.orders.place', 'members.read', 'org.read']);
    expect(permissionsOf(club, 'treasurer')).toEqual([
      'coop.orders.place',
      'coop.payments.record',
      'members.read',
      'org.read',
    ]);
    expect(club.permissions).toEqual(everything);
    expect(hasPermission(club, 'treasurer', 'coop.payments.record')).toBe(true);
    expect(hasPermission(club, 'member', 'coop.payments.record')).toBe(false);
    expect(hasPermission(club, 'member', 'members.invite')).toBe(false);
    expect(hasPermission(club, 'nobody', 'org.read')).toBe(false);
  });

  it('lets a role grant only roles whose permissions it holds: only owners make owners', () => {
    expect(permissionsBeyond(club, 'owner', 'owner')).toEqual([]);
    expect(permissionsBeyond(club, 'admin', 'owner')).toEqual(['owners.manage']);
    expect(permissionsBeyond(club, 'admin', 'admin')).toEqual([]);
    expect(permissionsBeyond(club, 'admin', 'treasurer')).toEqual([]);
    expect(permissionsBeyond(club, 'treasurer', 'member')).toEqual([]);
    expect(permissionsBeyond(club, 'member', 'treasurer')).toEqual(['coop.payments.record']);
  });

  it('falls back to the core roles for a kind no line declares, refusing its own roles', () => {
    const unknown = new OrganizationKinds([club]).rulesOf('not_declared');
    expect(hasPermission(unknown, 'owner', 'members.manage')).toBe(true);
    expect(hasPermission(unknown, 'member', 'org.read')).toBe(true);
    expect(hasPermission(unknown, 'treasurer', 'org.read')).toBe(false);
  });

  it('refuses two different kinds under one name, as two lines declaring it would', () => {
    const again = defineOrganizationKind({ kind: 'roles_test_club', label: 'Again' });
    expect(() => new OrganizationKinds([club, again])).toThrow(/declared twice/);
    expect(() => new OrganizationKinds([club, club])).not.toThrow();
  });

  it('refuses definitions a product line would regret', () => {
    const refusals: [string, Parameters<typeof defineOrganizationKind>[0], RegExp][] = [
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
  });
});
