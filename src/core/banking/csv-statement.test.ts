import { describe, expect, it } from 'vitest';
import { creditorReference } from './creditor-reference';
import { type CsvStatementMapping, parseCsvStatement } from './csv-statement';

const german: CsvStatementMapping = {
  bookedOn: 'Buchungstag',
  amount: 'Betrag',
  counterpartyName: 'Name Zahlungsbeteiligter',
  counterpartyIban: 'IBAN Zahlungsbeteiligter',
  remittance: 'Verwendungszweck',
  dateFormat: 'DD.MM.YYYY',
  decimalSeparator: ',',
};

describe('a bank’s CSV statement', () => {
  it('reads the columns the mapping names: dates, signed amounts with a decimal comma, payers, references', () => {
    const reference = creditorReference('1HABC');
    const csv = [
      'Buchungstag;Betrag;Name Zahlungsbeteiligter;IBAN Zahlungsbeteiligter;Verwendungszweck',
      `07.12.2026;1.234,56;Anna Miller;DE89 3704 0044 0532 0130 00;Bestellung ${reference}`,
      '07.12.2026;-15,30;Lindenhof;;Rechnung 1',
      '08.12.2026;5,00;Nils Berg;;Essen',
      '08.12.2026;5,00;Nils Berg;;Essen',
    ].join('\n');
    const lines = parseCsvStatement(csv, german);
    expect(
      lines.map((l) => [
        l.bookedOn,
        l.amountMinor,
        l.direction,
        l.counterpartyName,
        l.counterpartyIban,
        l.references,
      ]),
    ).toEqual([
      ['2026-12-07', 123456n, 'credit', 'Anna Miller', 'DE89370400440532013000', [reference]],
      ['2026-12-07', 1530n, 'debit', 'Lindenhof', null, []],
      ['2026-12-08', 500n, 'credit', 'Nils Berg', null, []],
      ['2026-12-08', 500n, 'credit', 'Nils Berg', null, []],
    ]);
    // Without the bank's ids, each line is named by its content and its turn: the same file names them the same way again.
    expect(new Set(lines.map((l) => l.bankId)).size).toBe(4);
    expect(parseCsvStatement(csv, german).map((l) => l.bankId)).toEqual(lines.map((l) => l.bankId));
  });

  it('takes the bank’s own ids when the mapping names their column, and ISO dates with a decimal point', () => {
    const csv = 'Date,Amount,Payer,Details,Id\n2026-12-07,12.50,Obi Okafor,order 1,TX-9\n';
    const [line] = parseCsvStatement(csv, {
      bookedOn: 'Date',
      amount: 'Amount',
      counterpartyName: 'Payer',
      remittance: 'Details',
      bankId: 'Id',
      dateFormat: 'YYYY-MM-DD',
      decimalSeparator: '.',
    });
    expect(line).toMatchObject({ bankId: 'TX-9', amountMinor: 1250n, bookedOn: '2026-12-07' });
  });

  it('names the line and column of what it cannot read', () => {
    const head = 'Buchungstag;Betrag;Name Zahlungsbeteiligter;IBAN Zahlungsbeteiligter;Verwendungszweck\n';
    expect(() => parseCsvStatement(`${head}31.02.2026;1,00;A;;x`, german)).toThrow(
      /line 2: "31.02.2026" is not a date as DD.MM.YYYY/,
    );
    expect(() => parseCsvStatement(`${head}01.02.2026;1,005;A;;x`, german)).toThrow(
      /line 2: "1,005" is not an amount in euro/,
    );
    expect(() => parseCsvStatement('Datum;Wert\n', german)).toThrow(/it has no column "Buchungstag"/);
    expect(() => parseCsvStatement('', german)).toThrow(/the file is empty/);
  });
});
