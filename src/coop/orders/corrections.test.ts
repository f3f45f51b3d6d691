import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, signedInPerson, type TestTally, testTally } from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { testDatabaseUrl } from '../../../test/support/database';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';
import { newId } from '../../core/ids';
import { formatAmount } from '../../core/money';
import { coopAccountIds, postCoopTransfers } from './ledger';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, processedOrder, closedOrder } = coopApi(() => tally);

const PDF = Buffer.from('%PDF-1.4\n% invoice\n', 'latin1');

async function balanceOf(accountId: string): Promise<bigint> {
  const [row] = await queryRows<{ net: string }>(
    tally.database.db,
    sql`SELECT (credits_posted - debits_posted)::text AS net FROM ledger_accounts WHERE id = ${accountId}`,
  );
  return BigInt(row?.net ?? '0');
}

async function transfersOf(orderId: string) {
  return queryRows<{
    code: string;
    amount: string;
    household_id: string;
    kind: string;
    correction: number | null;
  }>(
    tally.database.db,
    sql`SELECT code, amount::text, metadata->>'household_id' AS household_id, metadata->>'kind' AS kind,
          (metadata->>'correction')::int AS correction
        FROM ledger_transfers WHERE metadata->>'order_id' = ${orderId} AND code IN ('coop_bill', 'coop_bill_reversal')
        ORDER BY seq`,
  );
}

/** A processed order whose bills and the producer's invoice are all paid: finished. */
async function finishedOrder() {
  const made = await processedOrder();
  const { admin, order, bills, detail } = made;
  for (const bill of bills) await ok(200, 'POST', `${order}/bills/${bill.id}/received`, admin);
  const farm = detail.producers[0];
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(PDF)]), 'invoice.pdf');
  form.append('amount', '16.80');
  const uploaded = await tally.http.request(`${order}/producers/${farm.producer_id}/invoice`, {
    method: 'PUT',
    headers: { cookie: admin.cookie, 'x-requested-with': 'tally-web' },
    body: form,
  });
  expect(uploaded.status).toBe(200);
  await ok(200, 'POST', `${order}/producers/${farm.producer_id}/invoice/paid`, admin);
  expect((await ok(200, 'GET', order, admin)).status).toBe('finished');
  return { ...made, farmId: farm.producer_id as string };
}

describe('a correction after the order is finished', () => {
  it('reverses and reposts only the bills that changed, tells those households why, and finishes again once settled', async () => {
    const { clubId, admin, members, order, orderId, bills, farmId } = await finishedOrder();
    const [millers, flat, okafors] = bills as [Body, Body, Body];
    const [ana, ben] = members as [Body, Body];
    const outsider = await signedInPerson(tally);
    const before = await transfersOf(orderId);
    expect(before.map((t) => [t.kind, t.amount]).sort()).toEqual([
      ['bill', '556'],
      ['bill', '599'],
      ['bill', '642'],
    ]);

    // Only the bookkeeper or the Admin reopens, and only with a reason; a refusal changes nothing.
    const untouched = await snapshotTables(tally.database.db, []);
    await refused('forbidden', 403, 'POST', `${order}/reopen`, ana, { reason: 'eggs were miscounted' });
    await refused('not_found', 404, 'POST', `${order}/reopen`, outsider, { reason: 'eggs were miscounted' });
    await refused('validation_failed', 400, 'POST', `${order}/reopen`, admin, { reason: '   ' });
    await refused('conflict', 409, 'POST', `${order}/correction/settle`, admin);
    await expectUnchanged(tally.database.db, untouched);

    // Two clicks at once reopen it once.
    const reason = 'Flat 3B got 8 eggs, not 11; the Okafors got one more';
    const clicks = await Promise.all(
      [0, 1].map(() =>
        tally.http.request(`${order}/reopen`, {
          method: 'POST',
          headers: {
            cookie: admin.cookie,
            'x-requested-with': 'tally-web',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ reason }),
        }),
      ),
    );
    expect(clicks.map((r) => r.status).sort()).toEqual([200, 409]);
    const reopened = await ok(200, 'GET', order, admin);
    expect(reopened).toMatchObject({
      status: 'closed',
      corrections: 1,
      reopened: { reason, by: admin.userId },
    });
    expect(reopened.tasks.map((t: Body) => t.kind)).toContain('settle_correction');

    // The delivery check is changed as before the order was processed, and confirmed again.
    const eggs = reopened.products.find((p: Body) => p.name === 'Eggs');
    await refused('delivery_confirmed', 409, 'PUT', `${order}/products/${eggs.product_id}/delivery`, admin, {
      outcome: 'delivered',
      households: [{ household_id: flat.id, items: 8 }],
    });
    await ok(200, 'POST', `${order}/producers/${farmId}/delivery/reopen`, admin);
    await ok(200, 'PUT', `${order}/products/${eggs.product_id}/delivery`, admin, {
      outcome: 'delivered',
      households: [
        { household_id: flat.id, items: 8 },
        { household_id: okafors.id, items: 13 },
      ],
    });
    const corrected = await ok(200, 'POST', `${order}/producers/${farmId}/delivery/confirm`, admin);
    // VAT is rounded per line: 8 eggs (3.42) and a milk (1.28); 13 eggs (5.56) and a milk.
    expect(corrected.status).toBe('processed');
    expect(
      corrected.bills.map((b: Body) => [b.name, b.total_cents, b.received_cents, b.payment_state]),
    ).toEqual([
      ['Flat 3B', '470', '599', 'paid'],
      ['The Millers', '556', '556', 'paid'],
      ['The Okafors', '684', '642', 'due'],
    ]);

    // Nothing is edited in the ledger: the changed bills are reversed and posted anew; the Millers' is left.
    const after = await transfersOf(orderId);
    expect(after.slice(0, 3)).toEqual(before);
    expect(after.slice(3).map((t) => [t.household_id, t.kind, t.amount, t.correction])).toEqual(
      expect.arrayContaining([
        [flat.id, 'bill_reversal', '599', 1],
        [flat.id, 'bill', '470', 1],
        [okafors.id, 'bill_reversal', '642', 1],
        [okafors.id, 'bill', '684', 1],
      ]),
    );
    expect(after).toHaveLength(7);
    expect(await balanceOf(coopAccountIds.household(millers.id))).toBe(0n);
    expect(await balanceOf(coopAccountIds.household(flat.id))).toBe(129n);
    expect(await balanceOf(coopAccountIds.household(okafors.id))).toBe(-42n);
    // The club's sales tie to the bills as they stand.
    expect(await balanceOf(coopAccountIds.sales(clubId))).toBe(556n + 470n + 684n);

    // The households whose bill changed are told what and why; the Millers are not.
    const told = async (person: Body) =>
      ((await ok(200, 'GET', '/api/notifications', person)).items as Body[]).filter(
        (n) => n.type === 'coop.order_corrected',
      );
    const [toFlat] = await told(ana);
    expect(toFlat.title).toBe('Order 1 was corrected: your bill is now €4.70');
    expect(toFlat.body).toContain(reason);
    expect(toFlat.body).toContain('Eggs: 8 delivered instead of 11.');
    expect(toFlat.body).toContain('Your bill went from €5.99 to €4.70.');
    expect(toFlat.body).toContain('€1.29 is on your household’s balance');
    const [toOkafors] = await told(ben);
    expect(toOkafors.body).toContain('To pay: €0.42');
    expect(await told(admin)).toEqual([]);

    // The household's statement shows the bill, the payment, the reversal and the corrected bill.
    const statement = await ok(200, 'GET', `/api/coop/households/${flat.id}/account`, ana);
    expect(statement.balance_cents).toBe('129');
    expect(statement.entries.map((e: Body) => [e.kind, e.amount_cents, e.correction, e.reason])).toEqual([
      ['bill', '-470', 1, reason],
      ['bill_reversal', '599', 1, reason],
      ['payment', '599', null, null],
      ['bill', '-599', null, null],
    ]);

    // The Okafors pay what the correction added: the order is finished again.
    await ok(200, 'POST', `${order}/bills/${okafors.id}/received`, admin);
    const finished = await ok(200, 'GET', order, admin);
    expect(finished.status).toBe('finished');
    expect(await balanceOf(coopAccountIds.household(okafors.id))).toBe(0n);

    // A second reopening that changes nothing moves no money and tells nobody.
    await ok(200, 'POST', `${order}/reopen`, admin, { reason: 'checking the cheese' });
    const quiet = await snapshotTables(tally.database.db, [
      'coop_orders',
      'coop_order_events',
      'coop_order_lines',
      'core_audit_log',
    ]);
    const settled = await ok(200, 'POST', `${order}/correction/settle`, admin);
    expect(settled).toMatchObject({ status: 'finished', corrections: 2 });
    await expectUnchanged(tally.database.db, quiet);
    expect(settled.activity.map((a: Body) => a.text)).toContain('Correction 2 settled: no bill changed');
  });

  it('is refused while the order has not been processed', async () => {
    const { admin, order } = await processedOrder();
    await ok(200, 'POST', `${order}/reopen`, admin, { reason: 'a first correction' });
    await refused('order_closed', 409, 'POST', `${order}/reopen`, admin, { reason: 'again' });
  });
});

describe('a household’s balance ahead', () => {
  it.runIf(testDatabaseUrl)(
    'pays a bill only with what is still there once the account stops moving',
    async () => {
      const { clubId, admin, order, detail, bills } = await processedOrder();
      const millers = bills[0] as Body;
      const farm = detail.producers[0].producer_id as string;
      const account = coopAccountIds.household(millers.id);
      // The Millers paid €1.00 too much on the first order: it is on their balance, ahead.
      const total = BigInt(millers.bill.total_cents);
      await ok(200, 'POST', `${order}/bills/${millers.id}/bad-payment`, admin, {
        reason: 'bad_amount',
        paid: formatAmount(total + 100n, 2),
      });
      await ok(200, 'POST', `${order}/bills/${millers.id}/received`, admin);
      expect(await balanceOf(account)).toBe(100n);

      // A second order, closed: confirming its delivery bills the Millers.
      const eggs = detail.products.find((p: Body) => p.name === 'Eggs');
      const second = (
        await closedOrder(clubId, admin, farm, [{ as: admin, productId: eggs.product_id, quantity: 5 }])
      ).path;

      // Meanwhile another transaction holds the club's accounts and the Millers', and spends that euro
      // while the second order's bills are being written.
      let confirming: Response | Promise<Response> | undefined;
      await tally.database.db.transaction(async (tx) => {
        const held = [account, coopAccountIds.sales(clubId), coopAccountIds.bank(clubId)];
        await tx.execute(
          sql`SELECT id FROM ledger_accounts WHERE id = ANY(${sql.param(held)}::uuid[]) ORDER BY id FOR UPDATE`,
        );
        confirming = tally.http.request(`${second}/producers/${farm}/delivery/confirm`, {
          method: 'POST',
          headers: { cookie: admin.cookie, 'x-requested-with': 'tally-web' },
        });
        await new Promise((resolve) => setTimeout(resolve, 800));
        await postCoopTransfers(tx, tally.clock, [
          {
            id: newId(),
            debitAccountId: account,
            creditAccountId: coopAccountIds.bank(clubId),
            amount: 100n,
            code: 'coop_payment_return',
            metadata: { household_id: millers.id, kind: 'payment_return' },
          },
        ]);
      });
      expect((await confirming!).status).toBe(200);

      // The bill drew nothing from a euro that was gone: it owes all of it, as the ledger says.
      const bill = (await ok(200, 'GET', `${second}/household-order?household_id=${millers.id}`, admin)).bill;
      expect(bill).toMatchObject({ received_cents: '0', payment_state: 'due' });
      expect(await balanceOf(account)).toBe(-BigInt(bill.total_cents));
    },
  );
});
