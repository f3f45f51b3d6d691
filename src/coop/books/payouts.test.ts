import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, request, type TestTally, testTally } from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { formatAmount } from '../../core/money';
import { payoutEndToEndId } from './payouts';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, processedOrder, closedOrder } = coopApi(() => tally);

const PDF = Buffer.from('%PDF-1.4\n% invoice\n', 'latin1');

async function multipart(
  as: { cookie: string },
  method: string,
  path: string,
  fields: Record<string, string | Blob>,
  name = 'file',
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields))
    if (value instanceof Blob) form.append(key, value, name);
    else form.append(key, value);
  return tally.http.request(path, {
    method,
    headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
    body: form,
  });
}

const statement = (lines: string) => `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>P1</Id>${lines}</Stmt></BkToCstmrStmt></Document>`;
const entry = (id: string, amount: string, direction: 'CRDT' | 'DBIT', inner: string) =>
  `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>${direction}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-03</Dt></BookgDt>
   <AcctSvcrRef>${id}</AcctSvcrRef><NtryDtls><TxDtls>${inner}</TxDtls></NtryDtls></Ntry>`;

describe('paying producers', () => {
  it('puts chosen invoices in one SEPA credit transfer file, and pays them when the statement shows the money left', async () => {
    const { clubId, admin, members, order, orderId, detail, bills } = await processedOrder();
    const producer = detail.producers[0] as Body;
    const invoices = { invoices: [{ order_id: orderId, producer_id: producer.producer_id }] };
    const batches = `/api/coop/clubs/${clubId}/payment-batches`;

    await refused('forbidden', 403, 'POST', batches, members[0]!, invoices);
    await refused('club_account_missing', 409, 'POST', batches, admin, invoices);
    await ok(200, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, admin, {
      account_holder: 'Green Basket e.V.',
      iban: 'DE02120300000000202051',
    });
    await refused('invoice_missing', 409, 'POST', batches, admin, invoices);
    const amount = formatAmount(BigInt(producer.expected_invoice_cents), 2);
    const uploaded = await multipart(admin, 'PUT', `${order}/producers/${producer.producer_id}/invoice`, {
      file: new Blob([PDF]),
      amount,
    });
    expect(uploaded.status).toBe(200);
    const noIban = await refused('producer_without_iban', 422, 'POST', batches, admin, invoices);
    expect(noIban.details).toEqual({ producer_id: producer.producer_id });
    await ok(200, 'PATCH', `/api/coop/producers/${producer.producer_id}`, admin, {
      iban: 'DE75 5121 0800 1245 1261 99',
      account_holder: 'Lindenhof GbR',
    });
    await refused('validation_failed', 400, 'POST', batches, admin, {
      ...invoices,
      execution_date: '2020-01-01',
    });

    const batch = await ok(201, 'POST', batches, admin, invoices);
    expect(batch).toMatchObject({
      transfers: 1,
      total_cents: producer.expected_invoice_cents,
      execution_date: '2026-06-01',
    });
    await refused('invoice_payment_sent', 409, 'POST', batches, admin, invoices);
    // The file the bank pays names the invoice's amount: it is not uploaded again with another.
    const untouched = await snapshotTables(tally.database.db);
    const again = await multipart(admin, 'PUT', `${order}/producers/${producer.producer_id}/invoice`, {
      file: new Blob([PDF]),
      amount: '99.00',
    });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('invoice_payment_sent');
    await expectUnchanged(tally.database.db, untouched);
    const file = await request(tally, 'GET', batch.download, { as: admin });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/xml');
    const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(await file.text());
    const payment = xml.Document.CstmrCdtTrfInitn.PmtInf;
    expect(xml.Document.CstmrCdtTrfInitn.GrpHdr.CtrlSum).toBe(amount);
    expect(payment.DbtrAcct.Id.IBAN).toBe('DE02120300000000202051');
    const endToEndId = payoutEndToEndId(1, producer.producer_id);
    expect(payment.CdtTrfTxInf).toMatchObject({
      PmtId: { EndToEndId: endToEndId },
      Cdtr: { Nm: 'Lindenhof GbR' },
      CdtrAcct: { Id: { IBAN: 'DE75512108001245126199' } },
    });
    expect((await request(tally, 'GET', batch.download, { as: members[0]! })).status).toBe(403);
    const sent = await ok(200, 'GET', order, admin);
    expect(sent.producers[0].invoice).toMatchObject({ paid_at: null, payment_sent_at: expect.any(String) });

    // The next statement: the producer's payment left, and every household paid quoting its reference.
    const lines = [
      entry(
        'OUT-1',
        amount,
        'DBIT',
        `<Refs><EndToEndId>${endToEndId}</EndToEndId></Refs><RltdPties><Cdtr><Nm>Lindenhof GbR</Nm></Cdtr></RltdPties>`,
      ),
      ...bills.map((h: Body, index: number) =>
        entry(
          `IN-${index}`,
          formatAmount(BigInt(h.bill.total_cents), 2),
          'CRDT',
          `<RltdPties><Dbtr><Nm>Payer ${index}</Nm></Dbtr></RltdPties><RmtInf><Strd><CdtrRefInf><Ref>${h.bill.reference}</Ref></CdtrRefInf></Strd></RmtInf>`,
        ),
      ),
    ];
    const imported = await multipart(
      admin,
      'POST',
      `/api/coop/clubs/${clubId}/bank-statements`,
      {
        file: new Blob([statement(lines.join(''))]),
      },
      'statement.xml',
    );
    expect(await imported.json()).toMatchObject({ lines: 4, matched: 3, producers_paid: 1, unmatched: 0 });
    const finished = await ok(200, 'GET', order, admin);
    expect(finished.status).toBe('finished');
    expect(finished.producers[0].invoice.paid_at).not.toBeNull();
    expect(finished.activity.map((e: Body) => e.text)).toContain(
      'Lindenhof: invoice paid (the bank statement shows it paid)',
    );
  });

  it('leaves a producer’s payment waiting while its order is corrected, and takes the rest of the statement', async () => {
    const { clubId, admin, order, orderId, detail, bills } = await processedOrder();
    const producer = detail.producers[0] as Body;
    await ok(200, 'PUT', `/api/coop/clubs/${clubId}/bank-account`, admin, {
      account_holder: 'Green Basket e.V.',
      iban: 'DE02120300000000202051',
    });
    await ok(200, 'PATCH', `/api/coop/producers/${producer.producer_id}`, admin, {
      iban: 'DE75 5121 0800 1245 1261 99',
      account_holder: 'Lindenhof GbR',
    });
    const amount = formatAmount(BigInt(producer.expected_invoice_cents), 2);
    const uploaded = await multipart(admin, 'PUT', `${order}/producers/${producer.producer_id}/invoice`, {
      file: new Blob([PDF]),
      amount,
    });
    expect(uploaded.status).toBe(200);
    await ok(201, 'POST', `/api/coop/clubs/${clubId}/payment-batches`, admin, {
      invoices: [{ order_id: orderId, producer_id: producer.producer_id }],
    });

    // A second order, processed: the Millers owe for it.
    const eggs = detail.products.find((p: Body) => p.name === 'Eggs');
    const second = (
      await closedOrder(clubId, admin, producer.producer_id, [
        { as: admin, productId: eggs.product_id, quantity: 5 },
      ])
    ).path;
    await ok(200, 'POST', `${second}/producers/${producer.producer_id}/delivery/confirm`, admin);
    const millers = bills[0] as Body;
    const owed = (await ok(200, 'GET', `${second}/household-order?household_id=${millers.id}`, admin)).bill;

    // The first order is reopened for a correction when the statement shows its producer paid.
    await ok(200, 'POST', `${order}/reopen`, admin, { reason: 'the milk was miscounted' });
    const endToEndId = payoutEndToEndId(1, producer.producer_id);
    const imported = await multipart(
      admin,
      'POST',
      `/api/coop/clubs/${clubId}/bank-statements`,
      {
        file: new Blob([
          statement(
            entry(
              'OUT-1',
              amount,
              'DBIT',
              `<Refs><EndToEndId>${endToEndId}</EndToEndId></Refs><RltdPties><Cdtr><Nm>Lindenhof GbR</Nm></Cdtr></RltdPties>`,
            ) +
              entry(
                'IN-1',
                formatAmount(BigInt(owed.total_cents), 2),
                'CRDT',
                `<RltdPties><Dbtr><Nm>Payer</Nm></Dbtr></RltdPties><RmtInf><Strd><CdtrRefInf><Ref>${owed.reference}</Ref></CdtrRefInf></Strd></RmtInf>`,
              ),
          ),
        ]),
      },
      'statement.xml',
    );
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({ lines: 2, matched: 1, producers_paid: 0, outgoing: 1 });
    expect(
      (await ok(200, 'GET', `${second}/household-order?household_id=${millers.id}`, admin)).bill,
    ).toMatchObject({ payment_state: 'paid' });
    const reopened = await ok(200, 'GET', order, admin);
    expect(reopened.producers[0].invoice).toMatchObject({
      paid_at: null,
      payment_sent_at: expect.any(String),
    });
    const lines = async () =>
      (await ok(200, 'GET', `/api/coop/clubs/${clubId}/bank-lines`, admin)).items as Body[];
    expect((await lines()).find((l) => l.bank_id === 'OUT-1')).toMatchObject({
      state: 'outgoing',
      order_id: null,
    });

    // Processed again, the order takes the payment that waited.
    const settled = await ok(200, 'POST', `${order}/correction/settle`, admin);
    expect(settled.status).toBe('processed');
    expect(settled.producers[0].invoice.paid_at).not.toBeNull();
    expect(settled.activity.map((e: Body) => e.text)).toContain(
      'Lindenhof: invoice paid (the bank statement shows it paid)',
    );
    expect((await lines()).find((l) => l.bank_id === 'OUT-1')).toMatchObject({
      state: 'matched',
      order_id: orderId,
    });
  });
});
