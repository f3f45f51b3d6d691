import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TestTally, testTally } from '../../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { systemActor } from '../../core/actor';
import { queryRows } from '../../core/database';
import { coopDeps } from '../line';
import { makeCoopDemo } from './demo';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

describe('the coop demo', () => {
  it('makes a club with roles, households, a waiting request, producers with photos and their products; again, nothing', async () => {
    const made = await makeCoopDemo(coopDeps(tally.context), systemActor);
    expect(made).toEqual([
      'Green Basket Food Coop: admin maria@coop.demo.tally.test, 3 households, a join request waiting',
      '4 producers with photos and 30 products',
      'Order 1 finished (bills and invoices paid), order 2 open for a week with three households’ orders',
    ]);
    const [counts] = await queryRows<Record<string, number>>(
      tally.database.db,
      sql`SELECT (SELECT count(*)::int FROM core_memberships m JOIN core_organizations o ON o.id = m.organization_id
                   WHERE o.kind = 'club') AS members,
                 (SELECT count(*)::int FROM coop_households WHERE archived_at IS NULL) AS households,
                 (SELECT count(*)::int FROM coop_join_requests WHERE state = 'pending') AS waiting,
                 (SELECT count(*)::int FROM coop_producers WHERE photo_file_id IS NOT NULL) AS photographed,
                 (SELECT count(*)::int FROM coop_products) AS products,
                 (SELECT count(*)::int FROM coop_orders WHERE status = 'finished') AS finished,
                 (SELECT count(*)::int FROM coop_orders WHERE status = 'open') AS open,
                 (SELECT count(*)::int FROM coop_household_orders h JOIN coop_orders o ON o.id = h.order_id
                   WHERE o.status = 'open') AS household_orders,
                 (SELECT count(*)::int FROM coop_bills WHERE payment_state = 'paid') AS paid_bills,
                 (SELECT count(DISTINCT role)::int FROM core_memberships m JOIN core_organizations o ON o.id = m.organization_id
                   WHERE o.kind = 'club') AS roles`,
    );
    expect(counts).toEqual({
      members: 7,
      households: 3,
      waiting: 1,
      photographed: 4,
      products: 30,
      finished: 1,
      open: 1,
      household_orders: 3,
      paid_bills: 3,
      roles: 4,
    });

    const before = await snapshotTables(tally.database.db);
    await makeCoopDemo(coopDeps(tally.context), systemActor);
    await expectUnchanged(tally.database.db, before);
  });
});
