import { sql } from 'drizzle-orm';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { testDatabaseUrl } from '../../../test/support/database';
import { validateIso20022 } from '../../../test/support/iso20022';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';
import { formatAmount } from '../../core/money';
import { coopAccountIds } from '../orders/ledger';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, processedOrder } = coopApi(() => tally);

const CLUB_IBAN = 'DE02120300000000202051';
const CREDITOR_ID = 'DE98ZZZ09999999999';

/** A processed order's club, with a bookkeeper and a member in no household besides its households. */
async function clubWithBills() {
  const made = await processedOrder();
  const { clubId, admin } = made;
  const { url } = await ok(201, 'POST', `/api/coop/clubs/${clubId}/invite-links`, admin);
  const join = async (name: string) => {
    const person = await signedInPerson(tally, { name });
    await ok(200, 'POST', `/api/coop/invite-links/${url.split('/').pop()}/join`, person);
    return person;
  };
  const keeper = await join('Kim Keeper');
  await ok(200, 'PATCH', `/api/orgs/${clubId}/members/${keeper.userId}`, admin, { role: 'bookkeeper' });
  const plain = await join('Pat Plain');
  const outsider = await signedInPerson(tally, { name: 'Olaf Outsider' });
  const [millers, flat, okafors] = made.bills.map((h: Body) => ({ ...h, orderId: made.orderId })) as [
    Body,
    Body,
    Body,
  ];
  return { ...made, keeper, plain, outsider, millers, flat, okafors };
}

async function switchOn(clubId: string, admin: TestPerson) {
  await ok(200, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, admin, {
    account_holder: 'Green Basket e.V.',
    iban: CLUB_IBAN,
  });
  await ok(200, 'PUT', `/api/coop/clubs/${clubId}/direct-debit`, admin, { creditor_id: CREDITOR_ID });
}

const sign = (household: Body, iban = 'DE89 3704 0044 0532 0130 00') =>
  ok(201, 'POST', `/api/coop/households/${household.id}/direct-debit-mandate`, household.person, {
    account_holder: `${household.name} holder`,
    iban,
  });

const billOf = (h: Body) => ({ order_id: h.orderId, household_id: h.id });

/** Bills of a club with direct debit on, the Millers' collected by a debit of their signed mandate. */
async function millersDebited() {
  const stage = await clubWithBills();
  await switchOn(stage.clubId, stage.admin);
  await sign(stage.millers);
  const collections = `/api/coop/clubs/${stage.clubId}/direct-debit-collections`;
  await ok(201, 'POST', collections, stage.keeper, { bills: [billOf(stage.millers)] });
  const [debit] = (await ok(200, 'GET', collections, stage.keeper)).items[0].items as Body[];
  return { ...stage, collections, debit: debit! };
}

/** A CAMT.053 statement of the club's account whose lines carry end-to-end ids. */
const camt = (lines: { id: string; amount: string; direction: 'CRDT' | 'DBIT'; endToEndId: string }[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<Stmt><Id>S1</Id><Acct><Id><IBAN>${CLUB_IBAN}</IBAN></Id></Acct>
${lines
  .map(
    (l) => `<Ntry><Amt Ccy="EUR">${l.amount}</Amt><CdtDbtInd>${l.direction}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-06-03</Dt></BookgDt><NtryDtls><TxDtls><Refs><AcctSvcrRef>${l.id}</AcctSvcrRef><EndToEndId>${l.endToEndId}</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>Payer</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Direct debit</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
  )
  .join('\n')}
</Stmt></BkToCstmrStmt></Document>`;

async function importing(as: TestPerson, clubId: string, xml: string) {
  const form = new FormData();
  form.append('file', new Blob([xml]), 'statement.xml');
  const response = await tally.http.request(`/api/coop/clubs/${clubId}/bank-statements`, {
    method: 'POST',
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
    body: form,
  });
  const answer = await read(response);
  expect(response.status, JSON.stringify(answer)).toBe(201);
  return answer;
}

const balance = async (householdId: string) => {
  const [row] = await queryRows<{ net: string }>(
    tally.database.db,
    sql`SELECT (credits_posted - debits_posted)::text AS net FROM ledger_accounts WHERE id = ${coopAccountIds.household(householdId)}`,
  );
  return BigInt(row!.net);
};

const billState = async (order: string, admin: TestPerson, household: Body) =>
  (await ok(200, 'GET', `${order}/household-order?household_id=${household.id}`, admin)).bill;

describe('direct debit mandates', () => {
  it('are signed by the household once direct debit is on, seen by it and the bookkeeper, revoked by either', async () => {
    const { clubId, admin, members, keeper, plain, outsider, flat, okafors } = await clubWithBills();
    const [ana, ben] = members as [TestPerson, TestPerson];
    const mandate = `/api/coop/households/${flat.id}/direct-debit-mandate`;
    const body = { account_holder: 'Ana Flat', iban: 'DE89370400440532013000' };

    await refused('direct_debit_off', 409, 'POST', mandate, ana, body);
    await refused('forbidden', 403, 'PUT', `/api/coop/clubs/${clubId}/direct-debit`, plain, {
      creditor_id: CREDITOR_ID,
    });
    await refused('forbidden', 403, 'PUT', `/api/coop/clubs/${clubId}/direct-debit`, keeper, {
      creditor_id: CREDITOR_ID,
    });
    await refused('club_account_missing', 409, 'PUT', `/api/coop/clubs/${clubId}/direct-debit`, admin, {
      creditor_id: CREDITOR_ID,
    });
    await ok(200, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, admin, {
      account_holder: 'Green Basket e.V.',
      iban: CLUB_IBAN,
    });
    await refused('validation_failed', 400, 'PUT', `/api/coop/clubs/${clubId}/direct-debit`, admin, {
      creditor_id: 'DE98ZZZ09999999998',
    });
    expect((await ok(200, 'GET', `/api/coop/clubs/${clubId}/direct-debit`, plain)).settings).toBeNull();
    await ok(200, 'PUT', `/api/coop/clubs/${clubId}/direct-debit`, admin, {
      creditor_id: 'de98 zzz0 9999 9999 99',
    });
    expect((await ok(200, 'GET', `/api/coop/clubs/${clubId}/direct-debit`, plain)).settings).toMatchObject({
      creditor_id: CREDITOR_ID,
    });
    await refused('not_found', 404, 'GET', `/api/coop/clubs/${clubId}/direct-debit`, outsider);

    // Only a member of the household signs, with a valid IBAN.
    for (const someone of [ben, plain, keeper, admin])
      await refused('forbidden', 403, 'POST', mandate, someone, body);
    await refused('not_found', 404, 'POST', mandate, outsider, body);
    await refused('validation_failed', 400, 'POST', mandate, ana, {
      ...body,
      iban: 'DE89370400440532013001',
    });
    await refused('validation_failed', 400, 'POST', mandate, ana, { ...body, bic: 'NOPE' });
    const signed = (await ok(201, 'POST', mandate, ana, { ...body, iban: 'de89 3704 0044 0532 0130 00' }))
      .mandate;
    expect(signed).toMatchObject({
      household_id: flat.id,
      account_holder: 'Ana Flat',
      iban: 'DE89 3704 0044 0532 0130 00',
      bic: null,
      signed_on: '2026-06-01',
      state: 'active',
    });
    expect(signed.reference).toMatch(/^TALLY-M-[0-9A-F]{20}$/);
    const [stored] = await queryRows<{ iban: string }>(
      tally.database.db,
      sql`SELECT iban FROM coop_direct_debit_mandates WHERE id = ${signed.id}`,
    );
    expect(stored!.iban).toBe('DE89370400440532013000');
    const twice = await refused('mandate_active', 409, 'POST', mandate, ana, body);
    expect(twice.details).toEqual({ mandate_id: signed.id });

    // The household and the bookkeeper see it; another household, a plain member and outsiders do not.
    expect((await ok(200, 'GET', mandate, ana)).mandate.id).toBe(signed.id);
    expect((await ok(200, 'GET', mandate, keeper)).mandate.id).toBe(signed.id);
    await refused('forbidden', 403, 'GET', mandate, ben);
    await refused('forbidden', 403, 'GET', mandate, plain);
    await refused('not_found', 404, 'GET', mandate, outsider);
    expect(
      (await ok(200, 'GET', `/api/coop/households/${okafors.id}/direct-debit-mandate`, ben)).mandate,
    ).toBeNull();
    const all = await ok(200, 'GET', `/api/coop/clubs/${clubId}/direct-debit-mandates`, keeper);
    expect(all.items).toEqual([expect.objectContaining({ id: signed.id, household_name: 'Flat 3B' })]);
    await refused('forbidden', 403, 'GET', `/api/coop/clubs/${clubId}/direct-debit-mandates`, ana);

    // Revoked by the household or the bookkeeper, by nobody else; then a new one may be signed.
    const revoke = `/api/coop/direct-debit-mandates/${signed.id}/revoke`;
    await refused('forbidden', 403, 'POST', revoke, ben);
    await refused('forbidden', 403, 'POST', revoke, plain);
    await refused('not_found', 404, 'POST', revoke, outsider);
    expect((await ok(200, 'POST', revoke, keeper)).mandate).toMatchObject({ state: 'revoked' });
    await refused('mandate_revoked', 409, 'POST', revoke, ana);
    expect((await ok(200, 'GET', mandate, ana)).mandate).toBeNull();
    const again = (await ok(201, 'POST', mandate, ana, body)).mandate;
    expect(again.reference).not.toBe(signed.reference);
    expect(
      (await ok(200, 'POST', `/api/coop/direct-debit-mandates/${again.id}/revoke`, ana)).mandate.state,
    ).toBe('revoked');
  });
});

describe('direct debit collections', () => {
  it('collect the bills chosen once, in a file valid against the official schema, paid when the statement shows the money', async () => {
    const { clubId, admin, members, keeper, order, millers, flat, okafors } = await clubWithBills();
    const collections = `/api/coop/clubs/${clubId}/direct-debit-collections`;
    const chosen = { bills: [billOf(millers), billOf(flat)] };
    await refused('forbidden', 403, 'POST', collections, members[0]!, chosen);
    await refused('direct_debit_off', 409, 'POST', collections, keeper, chosen);
    await switchOn(clubId, admin);
    await sign(millers);
    await sign(flat, 'NL91 ABNA 0417 1643 00');

    const listed = await ok(200, 'GET', `/api/coop/clubs/${clubId}/direct-debit-bills`, keeper);
    expect(listed.items.map((b: Body) => [b.household_name, b.owed_cents, b.collection_id])).toEqual([
      ['Flat 3B', flat.bill.total_cents, null],
      ['The Millers', millers.bill.total_cents, null],
    ]);
    await refused('forbidden', 403, 'GET', `/api/coop/clubs/${clubId}/direct-debit-bills`, members[0]!);
    await refused('bill_without_mandate', 422, 'POST', collections, keeper, { bills: [billOf(okafors)] });
    await refused('validation_failed', 400, 'POST', collections, keeper, {
      ...chosen,
      collection_date: '2026-06-01',
    });
    await refused('validation_failed', 400, 'POST', collections, keeper, {
      ...chosen,
      collection_date: '2026-06-06',
    });
    await refused('validation_failed', 400, 'POST', collections, keeper, {
      bills: [billOf(flat), billOf(flat)],
    });

    const first = await ok(201, 'POST', collections, keeper, chosen);
    const total = BigInt(millers.bill.total_cents) + BigInt(flat.bill.total_cents);
    expect(first).toMatchObject({
      debits: 2,
      total_cents: total.toString(),
      collection_date: '2026-06-02',
      state: 'sent',
    });
    await refused('bill_collection_sent', 409, 'POST', collections, keeper, { bills: [billOf(flat)] });
    const bills = await ok(200, 'GET', `/api/coop/clubs/${clubId}/direct-debit-bills`, keeper);
    expect(bills.items.every((b: Body) => b.collection_id === first.id)).toBe(true);

    // Cancelled before the money arrived: collectable again, the mandate's first debit still FRST.
    const cancel = `/api/coop/direct-debit-collections/${first.id}/cancel`;
    await refused('forbidden', 403, 'POST', cancel, members[0]!);
    expect((await ok(200, 'POST', cancel, keeper)).state).toBe('cancelled');
    await refused('collection_cancelled', 409, 'POST', cancel, keeper);
    const second = await ok(201, 'POST', collections, keeper, { ...chosen, collection_date: '2026-06-08' });

    const file = await request(tally, 'GET', second.download, { as: keeper });
    expect(file.status).toBe(200);
    const xml = await file.text();
    expect(await validateIso20022(xml, 'pain.008.001.02')).toEqual({ valid: true, errors: [] });
    expect((await request(tally, 'GET', second.download, { as: members[0]! })).status).toBe(403);
    const initiation = new XMLParser({ parseTagValue: false, isArray: (n) => n === 'DrctDbtTxInf' }).parse(
      xml,
    ).Document.CstmrDrctDbtInitn;
    expect(initiation.GrpHdr.CtrlSum).toBe(formatAmount(total, 2));
    expect(initiation.PmtInf).toMatchObject({
      CtrlSum: formatAmount(total, 2),
      ReqdColltnDt: '2026-06-08',
      PmtTpInf: { SeqTp: 'FRST' },
      CdtrSchmeId: { Id: { PrvtId: { Othr: { Id: CREDITOR_ID } } } },
    });
    const debits = initiation.PmtInf.DrctDbtTxInf as Body[];
    expect(debits.map((d) => d.InstdAmt).sort()).toEqual(
      [millers, flat].map((h) => formatAmount(BigInt(h.bill.total_cents), 2)).sort(),
    );
    const endToEnd = (household: Body) =>
      debits.find((d) => d.RmtInf.Ustrd.includes(household.bill.reference))!.PmtId.EndToEndId as string;
    expect(endToEnd(flat)).toMatch(/^TALLY-DD-O1-[0-9A-F]{10}-2$/);

    // The statement: both debits' money arrived. The bills are paid, once, however often it is imported.
    const millersBefore = await balance(millers.id);
    const statement = camt([
      {
        id: 'DD-1',
        amount: formatAmount(BigInt(millers.bill.total_cents), 2),
        direction: 'CRDT',
        endToEndId: endToEnd(millers),
      },
      {
        id: 'DD-2',
        amount: formatAmount(BigInt(flat.bill.total_cents), 2),
        direction: 'CRDT',
        endToEndId: endToEnd(flat),
      },
    ]);
    expect(await importing(keeper, clubId, statement)).toMatchObject({ lines: 2, matched: 2, unmatched: 0 });
    expect(await balance(millers.id)).toBe(millersBefore + BigInt(millers.bill.total_cents));
    for (const household of [millers, flat])
      expect((await billState(order, admin, household)).payment_state).toBe('paid');
    const before = await snapshotTables(tally.database.db, [
      'coop_bank_statements',
      'core_files',
      'core_audit_log',
    ]);
    expect(await importing(keeper, clubId, statement)).toMatchObject({ lines: 2, known: 2, matched: 0 });
    await expectUnchanged(tally.database.db, before);
    await refused(
      'collection_arrived',
      409,
      'POST',
      `/api/coop/direct-debit-collections/${second.id}/cancel`,
      keeper,
    );
    const kept = await ok(200, 'GET', collections, keeper);
    expect(kept.items[0].items.map((i: Body) => i.state)).toEqual(['collected', 'collected']);
    expect(kept.items[1]).toMatchObject({ id: first.id, state: 'cancelled' });

    // The Millers' bank returns the debit after it arrived: the money left again, their balance owes it.
    const afterPaid = await balance(millers.id);
    await importing(
      keeper,
      clubId,
      camt([
        {
          id: 'DD-R1',
          amount: formatAmount(BigInt(millers.bill.total_cents), 2),
          direction: 'DBIT',
          endToEndId: endToEnd(millers),
        },
      ]),
    );
    expect(await balance(millers.id)).toBe(afterPaid - BigInt(millers.bill.total_cents));
    // Their statement names it a returned direct debit, a kind its published schema lists.
    const statementOf = await ok(200, 'GET', `/api/coop/households/${millers.id}/account`, admin);
    expect(statementOf.entries[0]).toMatchObject({
      kind: 'payment_return',
      order_id: millers.orderId,
      amount_cents: `-${millers.bill.total_cents}`,
    });
    const document = await read(await request(tally, 'GET', '/api/openapi.json'));
    const kinds =
      document.components.schemas.CoopHouseholdAccount.properties.entries.items.properties.kind.enum;
    expect(kinds).toContain('payment_return');
    const returned = await ok(200, 'GET', collections, keeper);
    expect(returned.items[0].items.find((i: Body) => i.household_id === millers.id).state).toBe('returned');

    // The Okafors sign, are collected (a first debit), and their bank returns it before it arrived:
    // the bill is flagged, never paid, and their balance never moved.
    await sign(okafors);
    const third = await ok(201, 'POST', collections, keeper, { bills: [billOf(okafors)] });
    expect(third).toMatchObject({ debits: 1, total_cents: okafors.bill.total_cents });
    const [thirdDebit] = (await ok(200, 'GET', collections, keeper)).items[0].items as Body[];
    expect(thirdDebit).toMatchObject({ sequence_type: 'FRST', state: 'sent' });
    const okaforsBefore = await balance(okafors.id);
    await importing(
      keeper,
      clubId,
      camt([
        {
          id: 'DD-R2',
          amount: formatAmount(BigInt(okafors.bill.total_cents), 2),
          direction: 'DBIT',
          endToEndId: thirdDebit!.end_to_end_id,
        },
      ]),
    );
    const flagged = await billState(order, admin, okafors);
    expect(flagged).toMatchObject({ payment_state: 'bad', bad_reason: 'other' });
    expect(flagged.bad_text).toMatch(
      /direct debit .* was returned by the household’s bank: please pay by bank transfer/,
    );
    expect(await balance(okafors.id)).toBe(okaforsBefore);
    await refused(
      'collection_arrived',
      409,
      'POST',
      `/api/coop/direct-debit-collections/${third.id}/cancel`,
      keeper,
    );
    await refused('bill_not_due', 409, 'POST', collections, keeper, { bills: [billOf(okafors)] });
  });

  it('refuses a bill its collection paid already', async () => {
    const { clubId, admin, keeper, order, millers, collections, debit } = await millersDebited();
    await importing(
      keeper,
      clubId,
      camt([
        {
          id: 'P-1',
          amount: formatAmount(BigInt(millers.bill.total_cents), 2),
          direction: 'CRDT',
          endToEndId: debit!.end_to_end_id,
        },
      ]),
    );
    expect((await billState(order, admin, millers)).payment_state).toBe('paid');
    await refused('bill_not_due', 409, 'POST', collections, keeper, { bills: [billOf(millers)] });
  });

  it('pay a bill by what the debit brought, not by what the bill is when it arrives', async () => {
    const { clubId, admin, keeper, order, detail, millers, flat, okafors } = await clubWithBills();
    await switchOn(clubId, admin);
    for (const household of [millers, flat, okafors]) await sign(household);
    const collections = `/api/coop/clubs/${clubId}/direct-debit-collections`;
    await ok(201, 'POST', collections, keeper, { bills: [millers, flat, okafors].map(billOf) });
    const debits = (await ok(200, 'GET', collections, keeper)).items[0].items as Body[];
    const debitOf = (household: Body) => debits.find((d) => d.household_id === household.id)!;
    expect([millers, flat, okafors].map((h) => debitOf(h).amount_cents)).toEqual(['556', '599', '642']);

    // The Millers pay €1.00 by transfer meanwhile, which the bookkeeper records as a bad amount.
    await ok(200, 'POST', `${order}/bills/${millers.id}/bad-payment`, keeper, {
      reason: 'bad_amount',
      paid: '1.00',
    });
    // A correction lowers Flat 3B's bill to €4.70 and raises the Okafors' to €6.84.
    await ok(200, 'POST', `${order}/reopen`, admin, { reason: 'the eggs were miscounted' });
    const farm = detail.producers[0].producer_id;
    const eggs = (await ok(200, 'GET', order, admin)).products.find((p: Body) => p.name === 'Eggs');
    await ok(200, 'POST', `${order}/producers/${farm}/delivery/reopen`, admin);
    await ok(200, 'PUT', `${order}/products/${eggs.product_id}/delivery`, admin, {
      outcome: 'delivered',
      households: [
        { household_id: flat.id, items: 8 },
        { household_id: okafors.id, items: 13 },
      ],
    });
    await ok(200, 'POST', `${order}/producers/${farm}/delivery/confirm`, admin);
    const balances = async () => Promise.all([millers, flat, okafors].map((h) => balance(h.id)));
    const before = await balances();
    expect(before).toEqual([-456n, -470n, -684n]);

    // Each debit brings what it was collected for; none of them makes its bill's total now, so each
    // waits as a bad amount, and nothing is recorded before the bookkeeper confirms it.
    const arrived = await importing(
      keeper,
      clubId,
      camt(
        [millers, flat, okafors].map((h, index) => ({
          id: `DD-${index}`,
          amount: formatAmount(BigInt(debitOf(h).amount_cents), 2),
          direction: 'CRDT' as const,
          endToEndId: debitOf(h).end_to_end_id,
        })),
      ),
    );
    expect(arrived).toMatchObject({ lines: 3, matched: 0, bad_amount: 3, unmatched: 0 });
    expect(await balances()).toEqual(before);
    const waiting = (await ok(200, 'GET', `/api/coop/clubs/${clubId}/bank-lines`, keeper)).items as Body[];
    expect(waiting.map((l) => [l.household_id, l.state, l.amount_cents]).sort()).toEqual(
      [
        [millers.id, 'bad_amount', '556'],
        [flat.id, 'bad_amount', '599'],
        [okafors.id, 'bad_amount', '642'],
      ].sort(),
    );
    expect((await ok(200, 'GET', collections, keeper)).items[0].items.map((d: Body) => d.state)).toEqual([
      'collected',
      'collected',
      'collected',
    ]);

    // Confirmed, each is recorded as it arrived: what is missing is asked for, too much stays ahead.
    for (const line of waiting) await ok(200, 'POST', `/api/coop/bank-lines/${line.id}/confirm`, keeper);
    expect(await balances()).toEqual([100n, 129n, -42n]);
    const bills = await Promise.all([millers, flat, okafors].map((h) => billState(order, admin, h)));
    expect(bills.map((b) => [b.total_cents, b.received_cents, b.payment_state, b.bad_reason])).toEqual([
      ['556', '656', 'bad', 'bad_amount'],
      ['470', '599', 'bad', 'bad_amount'],
      ['684', '642', 'bad', 'bad_amount'],
    ]);
    expect(bills[2].bad_text).toContain('please pay the €0.42 missing');
  });

  it('take back on a return only what their arrival recorded', async () => {
    const { clubId, admin, keeper, order, millers, debit } = await millersDebited();
    // €1.00 was paid by transfer meanwhile: the debit's money arrives and waits as a bad amount.
    await ok(200, 'POST', `${order}/bills/${millers.id}/bad-payment`, keeper, {
      reason: 'bad_amount',
      paid: '1.00',
    });
    const line = (id: string, direction: 'CRDT' | 'DBIT') => ({
      id,
      amount: formatAmount(BigInt(debit!.amount_cents), 2),
      direction,
      endToEndId: debit!.end_to_end_id,
    });
    expect(await importing(keeper, clubId, camt([line('DD-IN', 'CRDT')]))).toMatchObject({ bad_amount: 1 });
    const before = await balance(millers.id);

    // The household's bank returns it: nothing of it was recorded, so nothing is taken back.
    await importing(keeper, clubId, camt([line('DD-BACK', 'DBIT')]));
    expect(await balance(millers.id)).toBe(before);
    const lines = (await ok(200, 'GET', `/api/coop/clubs/${clubId}/bank-lines`, keeper)).items as Body[];
    expect(Object.fromEntries(lines.map((l) => [l.bank_id, l.state]))).toEqual({
      'DD-IN': 'ignored',
      'DD-BACK': 'matched',
    });
    const flagged = await billState(order, admin, millers);
    expect(flagged).toMatchObject({ payment_state: 'bad', bad_reason: 'other', received_cents: '100' });
    expect(flagged.bad_text).toMatch(/was returned by the household’s bank: please pay by bank transfer/);
  });

  it.runIf(testDatabaseUrl)(
    'never collects a bill twice when two collections are asked for at once',
    async () => {
      const { clubId, admin, keeper, millers, flat } = await clubWithBills();
      await switchOn(clubId, admin);
      await sign(millers);
      await sign(flat);
      const collections = `/api/coop/clubs/${clubId}/direct-debit-collections`;
      const answers = await Promise.all(
        [[billOf(millers), billOf(flat)], [billOf(flat)], [billOf(millers)]].map((bills) =>
          request(tally, 'POST', collections, { as: keeper, body: { bills } }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const [live] = await queryRows<{ n: number; bills: number }>(
        tally.database.db,
        sql`SELECT count(*)::int AS n, count(DISTINCT (order_id, household_id))::int AS bills
          FROM coop_direct_debits WHERE club_id = ${clubId} AND state = 'sent'`,
      );
      expect(live).toEqual({ n: 2, bills: 2 });
    },
  );
});
