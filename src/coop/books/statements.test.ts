import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { queryRows } from '../../core/database';
import { coopAccountIds } from '../orders/ledger';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, processedOrder } = coopApi(() => tally);

interface Line {
  id: string;
  amount: string;
  direction?: 'CRDT' | 'DBIT';
  name: string;
  reference?: string;
  text?: string;
}

/** A CAMT.053 statement of the club's account with these booked lines. */
const camt = (lines: Line[]) => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-06-05T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>
${lines
  .map(
    (
      l,
    ) => `<Ntry><Amt Ccy="EUR">${l.amount}</Amt><CdtDbtInd>${l.direction ?? 'CRDT'}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-06-05</Dt></BookgDt><AcctSvcrRef>${l.id}</AcctSvcrRef><NtryDtls><TxDtls>
<RltdPties><${l.direction === 'DBIT' ? 'Cdtr' : 'Dbtr'}><Nm>${l.name}</Nm></${l.direction === 'DBIT' ? 'Cdtr' : 'Dbtr'}></RltdPties>
<RmtInf>${l.text ? `<Ustrd>${l.text}</Ustrd>` : ''}${l.reference ? `<Strd><CdtrRefInf><Ref>${l.reference}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf>
</TxDtls></NtryDtls></Ntry>`,
  )
  .join('\n')}
</Stmt></BkToCstmrStmt></Document>`;

async function importing(as: TestPerson, clubId: string, xml: string, name = 'statement.xml') {
  const form = new FormData();
  form.append('file', new Blob([xml]), name);
  return tally.http.request(`/api/coop/clubs/${clubId}/bank-statements`, {
    method: 'POST',
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
    body: form,
  });
}

const balance = async (householdId: string) => {
  const [row] = await queryRows<{ net: string }>(
    tally.database.db,
    sql`SELECT (credits_posted - debits_posted)::text AS net FROM ledger_accounts WHERE id = ${coopAccountIds.household(householdId)}`,
  );
  return BigInt(row!.net);
};

describe('a bank statement', () => {
  it('settles the bills whose reference and amount it carries, queues the rest, and changes nothing the second time', async () => {
    const { clubId, admin, members, order, bills } = await processedOrder();
    const [millers, flat, okafors] = bills as [Body, Body, Body];
    expect([millers.bill.total_cents, flat.bill.total_cents, okafors.bill.total_cents]).toEqual([
      '556',
      '599',
      '642',
    ]);
    expect(millers.bill.reference).toMatch(/^RF\d{2}1H[0-9A-F]{14}$/);
    const spaced = (flat.bill.reference as string).replace(/(.{4})/g, '$1 ').trim();
    const statement = camt([
      { id: 'B-1', amount: '5.56', name: 'Ada Admin', reference: millers.bill.reference },
      { id: 'B-2', amount: '5.00', name: 'Member 1', text: `food ${spaced.toLowerCase()}` },
      { id: 'B-3', amount: '6.42', name: 'MEMBER 2' },
      { id: 'B-4', amount: '6.70', name: 'Unknown Person', text: 'donation' },
      { id: 'B-5', amount: '12.00', direction: 'DBIT', name: 'Lindenhof', text: 'order 1' },
    ]);

    // Only the bookkeeper (or the Admin) imports; what is not a statement is refused as such.
    expect((await importing(members[0]!, clubId, statement)).status).toBe(403);
    expect((await importing(admin, clubId, '%PDF-1.4 not a statement')).status).toBe(400);
    const broken = await importing(admin, clubId, '<Document><BkToCstmrStmt>');
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.message).toContain('the statement cannot be read');

    const first = await importing(admin, clubId, statement);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      lines: 5,
      known: 0,
      matched: 1,
      bad_amount: 1,
      unmatched: 2,
      outgoing: 1,
    });
    expect(await balance(millers.id)).toBe(0n);
    expect(await balance(flat.id)).toBe(-599n);

    const queue = (await ok(200, 'GET', `/api/coop/clubs/${clubId}/bank-lines`, admin)).items as Body[];
    expect(queue.map((l) => [l.bank_id, l.state, l.bill?.household_name ?? null, l.confidence])).toEqual([
      ['B-2', 'bad_amount', 'Flat 3B', 100],
      ['B-3', 'unmatched', 'The Okafors', 95],
      ['B-4', 'unmatched', null, null],
      ['B-1', 'matched', 'The Millers', 100],
      ['B-5', 'outgoing', null, null],
    ]);

    // The same statement again: nothing moves; only the upload itself is recorded (its file, its row, the audit).
    const before = await snapshotTables(tally.database.db, [
      'coop_bank_statements',
      'core_files',
      'core_audit_log',
    ]);
    const again = await importing(admin, clubId, statement);
    expect(await again.json()).toMatchObject({ lines: 5, known: 5, matched: 0, statement: { new_lines: 0 } });
    await expectUnchanged(tally.database.db, before);

    // The bookkeeper decides the waiting lines.
    const [badLine, suggested, donation] = queue as [Body, Body, Body];
    await ok(200, 'POST', `/api/coop/bank-lines/${badLine.id}/confirm`, admin);
    expect(await balance(flat.id)).toBe(-99n);
    const flagged = await ok(200, 'GET', `${order}/household-order?household_id=${flat.id}`, admin);
    expect(flagged.bill).toMatchObject({
      payment_state: 'bad',
      bad_reason: 'bad_amount',
      received_cents: '500',
    });
    await ok(200, 'POST', `/api/coop/bank-lines/${suggested.id}/assign`, admin, {
      order_id: suggested.order_id,
      household_id: suggested.household_id,
    });
    expect(await balance(okafors.id)).toBe(0n);
    await ok(200, 'POST', `/api/coop/bank-lines/${donation.id}/ignore`, admin);
    await refused('bank_line_decided', 409, 'POST', `/api/coop/bank-lines/${donation.id}/assign`, admin, {
      order_id: suggested.order_id,
      household_id: flat.id,
    });
    await refused('forbidden', 403, 'POST', `/api/coop/bank-lines/${donation.id}/ignore`, members[0]!);
    const outsider = await signedInPerson(tally);
    await refused('not_found', 404, 'POST', `/api/coop/bank-lines/${donation.id}/ignore`, outsider);
    await refused('not_found', 404, 'GET', `/api/coop/clubs/${clubId}/bank-lines`, outsider);

    // Flat 3B pays the rest, quoting its reference: its bill is paid.
    const rest = await importing(
      admin,
      clubId,
      camt([{ id: 'B-6', amount: '0.99', name: 'Member 1', reference: flat.bill.reference }]),
    );
    expect(await rest.json()).toMatchObject({ matched: 1 });
    expect(await balance(flat.id)).toBe(0n);
    const settled = await ok(200, 'GET', order, admin);
    expect(settled.bills.map((b: Body) => b.payment_state)).toEqual(['paid', 'paid', 'paid']);
  });

  it('is paid into the club’s account, which every member sees and only the bookkeeper or the Admin sets', async () => {
    const { clubId, admin, members } = await processedOrder();
    expect(await ok(200, 'GET', `/api/coop/clubs/${clubId}/bank-account`, members[0]!)).toEqual({
      account: null,
    });
    await refused('forbidden', 403, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, members[0]!, {
      account_holder: 'Green Basket e.V.',
      iban: 'DE02120300000000202051',
    });
    const wrong = await refused(
      'validation_failed',
      400,
      'PUT',
      `/api/coop/clubs/${clubId}/bank-account`,
      admin,
      {
        account_holder: 'Green Basket e.V.',
        iban: 'DE02 1203 0000 0000 2020 52',
        bic: 'BYLADEM1001',
      },
    );
    expect(wrong.details).toEqual({ field: 'iban' });
    await refused('validation_failed', 400, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, admin, {
      account_holder: 'Green Basket e.V.',
      iban: 'DE02120300000000202051',
      bic: 'NOT A BIC',
    });
    await ok(200, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, admin, {
      account_holder: 'Green Basket e.V.',
      iban: 'de02 1203 0000 0000 2020 51',
      bic: 'byladem1001',
    });
    // A statement of another account is refused, keeping nothing.
    const before = await snapshotTables(tally.database.db);
    const elsewhere = await importing(
      admin,
      clubId,
      camt([{ id: 'X-1', amount: '1.00', name: 'A' }]).replace(
        'DE02120300000000202051',
        'DE89370400440532013000',
      ),
    );
    expect(elsewhere.status).toBe(422);
    expect((await elsewhere.json()).error).toMatchObject({
      code: 'statement_other_account',
      details: { account_iban: 'DE89370400440532013000' },
    });
    await expectUnchanged(tally.database.db, before);
    expect(await ok(200, 'GET', `/api/coop/clubs/${clubId}/bank-account`, members[1]!)).toMatchObject({
      account: {
        account_holder: 'Green Basket e.V.',
        iban: 'DE02 1203 0000 0000 2020 51',
        bic: 'BYLADEM1001',
      },
    });
  });

  it('comes as a bank’s CSV too, read through the column mapping saved for that bank', async () => {
    const { clubId, admin, members, bills } = await processedOrder();
    const [millers, flat] = bills as [Body, Body];
    const csv = [
      'Buchungstag;Betrag;Name Zahlungsbeteiligter;Verwendungszweck',
      `05.06.2026;5,56;Ada Admin;Bestellung ${millers.bill.reference}`,
      `05.06.2026;5,99;Member 1;Essen ${flat.bill.reference}`,
      '05.06.2026;-12,00;Lindenhof;Rechnung',
    ].join('\r\n');
    const upload = async (mappingId?: string) => {
      const form = new FormData();
      form.append('file', new Blob([csv]), 'umsaetze.csv');
      if (mappingId) form.append('mapping_id', mappingId);
      return tally.http.request(`/api/coop/clubs/${clubId}/bank-statements`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'x-requested-with': 'tally-web' },
        body: form,
      });
    };
    const before = await snapshotTables(tally.database.db);
    const unmapped = await upload();
    expect(unmapped.status).toBe(400);
    expect((await unmapped.json()).error).toMatchObject({ details: { field: 'mapping_id' } });
    await expectUnchanged(tally.database.db, before);

    const mapping = {
      name: 'Sparkasse',
      booked_on: 'Buchungstag',
      amount: 'Betrag',
      counterparty_name: 'Name Zahlungsbeteiligter',
      remittance: 'Verwendungszweck',
      date_format: 'DD.MM.YYYY',
      decimal_separator: ',',
    };
    await refused(
      'forbidden',
      403,
      'PUT',
      `/api/coop/clubs/${clubId}/statement-mappings`,
      members[0]!,
      mapping,
    );
    const saved = await ok(200, 'PUT', `/api/coop/clubs/${clubId}/statement-mappings`, admin, mapping);
    // Saving under the same name replaces it.
    const again = await ok(200, 'PUT', `/api/coop/clubs/${clubId}/statement-mappings`, admin, {
      ...mapping,
      name: 'sparkasse',
    });
    expect(again.id).toBe(saved.id);
    expect((await ok(200, 'GET', `/api/coop/clubs/${clubId}/statement-mappings`, admin)).items).toHaveLength(
      1,
    );

    const imported = await upload(saved.id);
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({
      statement: { format: 'csv' },
      lines: 3,
      matched: 2,
      outgoing: 1,
    });
    expect(await balance(millers.id)).toBe(0n);
    expect(await balance(flat.id)).toBe(0n);
    // The same export again: every line is known by its content and turn.
    expect(await (await upload(saved.id)).json()).toMatchObject({ lines: 3, known: 3, matched: 0 });
  });

  it('lets a household pay ahead: the bookkeeper credits its balance, and its next bill is paid from it', async () => {
    const { clubId, admin, members, order, detail, bills } = await processedOrder();
    const flat = bills[1] as Body;
    for (const b of bills as Body[]) await ok(200, 'POST', `${order}/bills/${b.id}/received`, admin);
    const paid = await importing(
      admin,
      clubId,
      camt([{ id: 'AHEAD-1', amount: '20.00', name: 'Member 1', text: 'for the next orders' }]),
    );
    expect(await paid.json()).toMatchObject({ unmatched: 1 });
    const [line] = (await ok(200, 'GET', `/api/coop/clubs/${clubId}/bank-lines?state=unmatched`, admin))
      .items as Body[];
    await refused('not_found', 404, 'POST', `/api/coop/bank-lines/${line!.id}/assign`, admin, {
      household_id: '00000000-0000-4000-8000-000000000000',
    });
    await ok(200, 'POST', `/api/coop/bank-lines/${line!.id}/assign`, admin, { household_id: flat.id });
    expect(await balance(flat.id)).toBe(2000n);

    // The next order: Flat 3B orders five eggs; its bill is paid from what it paid ahead.
    const next = await ok(201, 'POST', `/api/coop/clubs/${clubId}/orders`, admin, {});
    const second = `/api/coop/orders/${next.id}`;
    const producerId = detail.producers[0].producer_id;
    await ok(200, 'POST', `${second}/producers/${producerId}/answer`, admin, {
      available: true,
      products_up_to_date: true,
    });
    await ok(200, 'POST', `${second}/open`, admin, {
      deadline: new Date(tally.clock.now().getTime() + 86_400_000).toISOString(),
    });
    const [eggs] = (await ok(200, 'GET', `${second}/catalogue`, admin)).items as Body[];
    await ok(200, 'PUT', `${second}/household-order/lines/${eggs!.id}`, members[0]!, {
      quantity: 5,
      version: eggs!.version,
    });
    await ok(200, 'POST', `${second}/close`, admin);
    await ok(200, 'POST', `${second}/producers/${producerId}/delivery/confirm`, admin);
    const billed = await ok(200, 'GET', `${second}/household-order`, members[0]!);
    expect(billed.bill).toMatchObject({ total_cents: '214', received_cents: '214', payment_state: 'paid' });
    expect(await balance(flat.id)).toBe(2000n - 214n);
    const ready = (await ok(200, 'GET', '/api/notifications', members[0]!)).items.find(
      (n: Body) => n.type === 'coop.order_ready' && n.title.startsWith('Order 2'),
    );
    expect(ready.title).toBe('Order 2: your food is ready');
    expect(ready.body).toContain('€2.14 of the €2.14 is paid from your household’s balance.');
    const account = await ok(200, 'GET', `/api/coop/households/${flat.id}/account`, members[0]!);
    expect(account.entries[0]).toMatchObject({
      kind: 'bill',
      order_number: 2,
      amount_cents: '-214',
      balance_cents: '1786',
    });
    expect(account.entries[1]).toMatchObject({ kind: 'payment', order_id: null, amount_cents: '2000' });
  });
});
