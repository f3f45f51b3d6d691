import { expect } from 'vitest';
import { type Body, read, request, signedInPerson, type TestPerson, type TestTally } from './app';
import { expectUnchanged, snapshotTables } from './snapshot';

/** The coop's tables a refused request must leave as they were. */
export const COOP_TABLES = [
  'coop_households',
  'coop_household_members',
  'coop_join_requests',
  'coop_producers',
  'coop_producer_people',
  'coop_products',
  'coop_product_versions',
  'coop_orders',
  'coop_order_producers',
  'coop_household_orders',
  'coop_order_lines',
  'coop_order_products',
  'coop_bill_changes',
  'coop_bills',
  'coop_club_order_settings',
  'core_memberships',
  'ledger_transfers',
];

/** The coop's API as the tests call it: each answer's status checked, refusals checked to change nothing. */
export function coopApi(tallyOf: () => TestTally) {
  async function ok(
    status: number,
    method: string,
    path: string,
    as: TestPerson,
    body?: unknown,
  ): Promise<Body> {
    const response = await request(tallyOf(), method, path, { as, body });
    const answer = await read(response);
    expect(response.status, JSON.stringify(answer)).toBe(status);
    return answer;
  }

  async function refused(
    code: string,
    status: number,
    method: string,
    path: string,
    as: TestPerson,
    body?: unknown,
  ) {
    const before = await snapshotTables(tallyOf().database.db, COOP_TABLES);
    const response = await request(tallyOf(), method, path, { as, body });
    const answer = await read(response);
    expect(response.status, JSON.stringify(answer)).toBe(status);
    expect(answer.error.code).toBe(code);
    await expectUnchanged(tallyOf().database.db, before);
    return answer.error;
  }

  let clubs = 0;
  /** A club with its Admin, and `count` more members who joined through an invite link. */
  async function club(count = 2, options: { joinCodeRequired?: boolean } = {}) {
    const admin = await signedInPerson(tallyOf(), { name: 'Ada Admin' });
    const made = await ok(201, 'POST', '/api/coop/clubs', admin, {
      name: `Green Basket ${++clubs}`,
      join_code_required: options.joinCodeRequired,
    });
    const { url } = await ok(201, 'POST', `/api/coop/clubs/${made.id}/invite-links`, admin);
    const token = url.split('/').pop() as string;
    const members: TestPerson[] = [];
    for (let index = 0; index < count; index++) {
      const person = await signedInPerson(tallyOf(), { name: `Member ${index + 1}` });
      await ok(200, 'POST', `/api/coop/invite-links/${token}/join`, person);
      members.push(person);
    }
    return { id: made.id as string, admin, members, token };
  }

  return { ok, refused, club };
}
