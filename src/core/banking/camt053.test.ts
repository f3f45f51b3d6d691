import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCamt053 } from './camt053';
import { creditorReference } from './creditor-reference';

const fixture = (name: string, fill: Record<string, string> = {}) =>
  Object.entries(fill).reduce(
    (xml, [key, value]) => xml.replaceAll(`{{${key}}}`, value),
    fs.readFileSync(path.join(import.meta.dirname, '../../../test/fixtures/camt053', name), 'utf8'),
  );

describe('a CAMT.053 statement', () => {
  it('reads booked lines with their bank ids, exact amounts, payers and references; pending lines are left out', () => {
    const millers = creditorReference('1ABCD1234');
    const flat = creditorReference('1FFFF0000');
    const spaced = flat.replace(/(.{4})/g, '$1 ').trim();
    const [statement] = parseCamt053(fixture('sparkasse-v02.xml', { MILLERS: millers, FLAT_SPACED: spaced }));
    expect(statement).toMatchObject({ id: '2026-12-07-0001', accountIban: 'DE02120300000000202051' });
    expect(statement!.lines).toEqual([
      {
        bankId: 'SPK-20261207-0001',
        bookedOn: '2026-12-07',
        amountMinor: 1185n,
        currency: 'EUR',
        direction: 'credit',
        counterpartyName: 'Anna Miller',
        counterpartyIban: 'DE89370400440532013000',
        remittance: '',
        references: [millers],
        endToEndId: 'NOTPROVIDED',
      },
      expect.objectContaining({
        bankId: 'SPK-20261207-0002',
        amountMinor: 500n,
        references: [flat],
        counterpartyName: 'Nils Berg',
      }),
      expect.objectContaining({
        bankId: 'SPK-20261207-0004',
        amountMinor: 1530n,
        direction: 'debit',
        counterpartyName: 'Lindenhof',
        endToEndId: 'INVOICE-1-LINDENHOF',
      }),
    ]);
  });

  it('splits a batch entry into its transactions, each with its own id and amount (version 08 shapes)', () => {
    const [statement] = parseCamt053(fixture('gls-v08.xml'));
    expect(statement!.accountIban).toBe('DE02120300000000202051');
    expect(
      statement!.lines.map((l) => [l.bankId, l.amountMinor, l.counterpartyName, l.remittance, l.bookedOn]),
    ).toEqual([
      ['GLS-TX-71', 680n, 'Obi Okafor', 'payment for order one the Okafors', '2026-12-08'],
      ['GLS-TX-72', 670n, 'Unknown Person', 'donation', '2026-12-08'],
    ]);
  });

  it('refuses what is no statement, an amount that is not euro cents, and broken XML, saying why', () => {
    expect(() => parseCamt053('<Document><Other/></Document>')).toThrow(/not a CAMT.053 bank statement/);
    expect(() =>
      parseCamt053(
        '<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="USD">1.00</Amt></Ntry></Stmt></BkToCstmrStmt></Document>',
      ),
    ).toThrow(/only euro/);
    expect(() =>
      parseCamt053(
        '<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="EUR">1.005</Amt></Ntry></Stmt></BkToCstmrStmt></Document>',
      ),
    ).toThrow(/not an amount in euro/);
    expect(() => parseCamt053('<Document><BkToCstmrStmt>')).toThrow(/statement cannot be read/);
  });
});
