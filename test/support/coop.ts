import { expect } from 'vitest';
import { type Body, read, request, signedInPerson, type TestPerson, type TestTally } from './app';
import { expectUnchanged, snapshotTables } from './snapshot';

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
    // Every table, the coop's and the ledger's included: a refusal changes nothing anywhere.
    const before = await snapshotTables(tallyOf().database.db);
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

  /**
   * A club whose first order is processed: the Admin (every role, the producer's liaison) and two
   * members each in a household of their own ordered eggs and milk; the bills are out and unpaid.
   */
  async function processedOrder() {
    const { id, admin, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const farm = await ok(201, 'POST', `/api/coop/clubs/${id}/producers`, admin, { name: 'Lindenhof' });
    const product = (name: string, price: string) =>
      ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, admin, {
        name,
        code: name.slice(0, 3).toUpperCase(),
        unit: 'piece',
        amount_per_package: '1',
        price,
        vat_percent: '7',
      });
    const eggs = await product('Eggs', '0.40');
    const milk = await product('Milk', '1.20');
    const households = [];
    for (const [person, name] of [
      [admin, 'The Millers'],
      [ana, 'Flat 3B'],
      [ben, 'The Okafors'],
    ] as const) {
      households.push({
        ...(await ok(201, 'POST', `/api/coop/clubs/${id}/households`, person, { name })),
        person,
      });
    }
    const created = await closedOrder(
      id,
      admin,
      farm.id,
      households.flatMap((household, index) => [
        { as: household.person, productId: eggs.id, quantity: 10 + index },
        { as: household.person, productId: milk.id, quantity: 1 },
      ]),
    );
    const order = created.path;
    await ok(200, 'POST', `${order}/producers/${farm.id}/delivery/confirm`, admin);
    const detail = await ok(200, 'GET', order, admin);
    const bills = await Promise.all(
      households.map(async (h) => ({
        ...h,
        bill: (await ok(200, 'GET', `${order}/household-order?household_id=${h.id}`, admin)).bill,
      })),
    );
    return { clubId: id as string, admin, members, orderId: created.id, order, detail, bills };
  }

  /**
   * A new order of the club with its producer available: opened for a day, each line ordered by its
   * person's household, and closed, its delivery still to confirm.
   */
  async function closedOrder(
    clubId: string,
    admin: TestPerson,
    producerId: string,
    lines: readonly { as: TestPerson; productId: string; quantity: number }[],
  ): Promise<{ id: string; path: string }> {
    const created = await ok(201, 'POST', `/api/coop/clubs/${clubId}/orders`, admin, {});
    const path = `/api/coop/orders/${created.id}`;
    await ok(200, 'POST', `${path}/producers/${producerId}/answer`, admin, {
      available: true,
      products_up_to_date: true,
    });
    const deadline = new Date(tallyOf().clock.now().getTime() + 86_400_000).toISOString();
    await ok(200, 'POST', `${path}/open`, admin, { deadline });
    for (const line of lines) {
      await ok(200, 'PUT', `${path}/household-order/lines/${line.productId}`, line.as, {
        quantity: line.quantity,
        version: 1,
      });
    }
    await ok(200, 'POST', `${path}/close`, admin);
    return { id: created.id as string, path };
  }

  return { ok, refused, club, processedOrder, closedOrder };
}
