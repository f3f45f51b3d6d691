import type { AccessDeps } from '../../src/core/access/authorization';
import { defineOrganizationKind } from '../../src/core/access/roles';
import type { Actor } from '../../src/core/actor';
import { productLines } from '../../src/lines';
import type { ProductLine } from '../../src/product-line';
import { type TestPerson, type TestTally, testTally } from './app';

/**
 * Test support for access and audit: kinds of organisation shaped like the product lines' (a club
 * with a treasurer, a household whose members invite each other, a reseller only the platform
 * creates), and the services' dependencies on a test Tally.
 */

/** testTally's public URL: invitation links start with it. */
export const TEST_PUBLIC_URL = 'http://tally.test';

export const testClub = defineOrganizationKind({
  kind: 'access_test_club',
  label: 'Buyers club',
  roles: {
    order_manager: { label: 'Order manager', permissions: ['test.orders.manage'] },
    treasurer: { label: 'Treasurer', permissions: ['test.payments.manage'] },
  },
});

export const testHousehold = defineOrganizationKind({
  kind: 'access_test_household',
  label: 'Household',
  roles: { member: { label: 'Household member', permissions: ['members.invite', 'org.update'] } },
  creatorRole: 'member',
});

export const testReseller = defineOrganizationKind({
  kind: 'access_test_reseller',
  label: 'Whitelabel reseller',
  selfService: false,
});

/** A line of the tests' own that declares those kinds, served beside Tally's own lines. */
export const accessTestLine: ProductLine = {
  name: 'access_test',
  label: 'Access test',
  organizationKinds: [testClub, testHousehold, testReseller],
};

export async function accessTestTally(): Promise<{ tally: TestTally; deps: AccessDeps }> {
  const tally = await testTally({ lines: [...productLines, accessTestLine] });
  const deps: AccessDeps = {
    db: tally.database.db,
    clock: tally.clock,
    publicUrl: TEST_PUBLIC_URL,
    kinds: tally.context.kinds,
  };
  return { tally, deps };
}

/** The actor a session of this person resolves to, for calling services directly. */
export const actorFor = (person: TestPerson, options: { isAdmin?: boolean } = {}): Actor => ({
  userId: person.userId,
  isAdmin: options.isAdmin ?? false,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
});
