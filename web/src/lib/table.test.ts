import { describe, expect, it } from 'vitest';
import {
  compareSortValues,
  csvAmount,
  csvField,
  csvFileName,
  csvTime,
  type DataColumn,
  matchesSearch,
  rowSearchText,
  searchRows,
  sortRows,
  tableCsv,
  toCsv,
} from './table';

interface Purchase {
  id: string;
  email: string;
  amount: string;
  at: string;
  credited: string | null;
}

const columns: DataColumn<Purchase>[] = [
  { id: 'email', header: 'Buyer', sortValue: (p) => p.email, csv: (p) => p.email },
  {
    id: 'amount',
    header: 'Amount',
    sortValue: (p) => BigInt(p.amount),
    csv: (p) => csvAmount(p.amount, 2, 'EUR'),
  },
  { id: 'at', header: 'When', sortValue: (p) => new Date(p.at), csv: (p) => csvTime(p.at) },
  { id: 'credited', header: 'Credited', sortValue: (p) => (p.credited ? new Date(p.credited) : null) },
  { id: 'note', header: 'Note' },
];

const purchases: Purchase[] = [
  { id: 'a', email: 'zoe@example.com', amount: '4900', at: '2025-06-01T09:30:05.120Z', credited: null },
  {
    id: 'b',
    email: 'Ada@example.com',
    amount: '900000000000000000001',
    at: '2025-06-01T09:30:04.999+00:00',
    credited: '2025-06-02T00:00:00Z',
  },
  {
    id: 'c',
    email: 'bob@example.com',
    amount: '99',
    at: '2025-05-31T23:59:59Z',
    credited: '2025-06-01T00:00:00Z',
  },
];

const ids = (rows: Purchase[]) => rows.map((row) => row.id).join('');

describe('sortRows', () => {
  it('sorts amounts given as bigint strings exactly, past what a float holds', () => {
    expect(ids(sortRows(purchases, columns, { columnId: 'amount', direction: 'ascending' }))).toBe('cab');
    expect(ids(sortRows(purchases, columns, { columnId: 'amount', direction: 'descending' }))).toBe('bac');
    expect(compareSortValues(9007199254740993n, 9007199254740992n)).toBe(1);
    expect(compareSortValues(2n, 10)).toBe(-1);
  });

  it('sorts numbers as numbers and text by its reader’s collation, numbers within it too', () => {
    expect([10, 9, -1, 0.5].sort((a, b) => compareSortValues(a, b))).toEqual([-1, 0.5, 9, 10]);
    expect(['Plan 10', 'plan 9', 'Éclair', 'apple'].sort((a, b) => compareSortValues(a, b))).toEqual([
      'apple',
      'Éclair',
      'plan 9',
      'Plan 10',
    ]);
    expect(ids(sortRows(purchases, columns, { columnId: 'email', direction: 'ascending' }))).toBe('bca');
  });

  it('sorts moments by time, whatever their offset or precision', () => {
    expect(ids(sortRows(purchases, columns, { columnId: 'at', direction: 'ascending' }))).toBe('cba');
    expect(ids(sortRows(purchases, columns, { columnId: 'at', direction: 'descending' }))).toBe('abc');
  });

  it('keeps missing values last in either direction', () => {
    expect(ids(sortRows(purchases, columns, { columnId: 'credited', direction: 'ascending' }))).toBe('cba');
    expect(ids(sortRows(purchases, columns, { columnId: 'credited', direction: 'descending' }))).toBe('bca');
    expect(compareSortValues(new Date('not a date'), new Date(0))).toBe(1);
    expect(compareSortValues(Number.NaN, 1, 'descending')).toBe(1);
  });

  it('compares lists element by element (a price by its currency, then its amount)', () => {
    const prices = [
      ['USD', 900n],
      ['EUR', 4950n],
      ['USD', 100n],
    ] as const;
    expect([...prices].sort((a, b) => compareSortValues(a, b))).toEqual([
      ['EUR', 4950n],
      ['USD', 100n],
      ['USD', 900n],
    ]);
  });

  it('keeps the order rows came in for equal values, and without a sort or a sortable column', () => {
    const same = purchases.map((p) => ({ ...p, amount: '1' }));
    expect(ids(sortRows(same, columns, { columnId: 'amount', direction: 'descending' }))).toBe('abc');
    expect(ids(sortRows(purchases, columns, null))).toBe('abc');
    expect(ids(sortRows(purchases, columns, { columnId: 'note', direction: 'ascending' }))).toBe('abc');
    const rows = [...purchases];
    sortRows(rows, columns, { columnId: 'amount', direction: 'ascending' });
    expect(ids(rows)).toBe('abc');
  });
});

describe('searching', () => {
  it('finds every word of the query in any case, order or accent', () => {
    expect(matchesSearch('Zoë Martin zoe@example.com', 'martin ZOE')).toBe(true);
    expect(matchesSearch('Zoë Martin', 'zoé')).toBe(true);
    expect(matchesSearch('Zoë Martin', 'zoe smith')).toBe(false);
    expect(matchesSearch('anything', '   ')).toBe(true);
  });

  it('reads the exported text of a row, and keeps the rows in their order', () => {
    expect(rowSearchText(purchases[0]!, columns)).toBe('zoe@example.com 49.00 EUR 2025-06-01T09:30:05Z');
    const textOf = (row: Purchase) => rowSearchText(row, columns);
    expect(ids(searchRows(purchases, 'example.com', textOf))).toBe('abc');
    expect(ids(searchRows(purchases, 'ADA', textOf))).toBe('b');
    expect(ids(searchRows(purchases, '2025-06-01', textOf))).toBe('ab');
    expect(ids(searchRows(purchases, '', textOf))).toBe('abc');
    expect(searchRows(purchases, 'nobody', textOf)).toEqual([]);
  });
});

describe('CSV', () => {
  it('quotes fields holding a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Martin, Zoë')).toBe('"Martin, Zoë"');
    expect(csvField('the "Pro" plan')).toBe('"the ""Pro"" plan"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('carriage\rreturn')).toBe('"carriage\rreturn"');
    expect(csvField('')).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula, but not a negative amount', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField('+1 555')).toBe("'+1 555");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('-12.50 EUR')).toBe('-12.50 EUR');
    expect(csvField('-5')).toBe('-5');
  });

  it('writes a header row and CRLF line ends', () => {
    expect(
      toCsv(
        ['Name', 'Note'],
        [
          ['a', 'b,c'],
          ['d', ''],
        ],
      ),
    ).toBe('Name,Note\r\na,"b,c"\r\nd,\r\n');
    expect(toCsv(['Only'], [])).toBe('Only\r\n');
  });

  it('exports the columns that have a CSV value, rows in the order given', () => {
    const sorted = sortRows(purchases, columns, { columnId: 'amount', direction: 'descending' });
    expect(tableCsv(sorted, columns)).toBe(
      'Buyer,Amount,When\r\n' +
        'Ada@example.com,9000000000000000000.01 EUR,2025-06-01T09:30:04Z\r\n' +
        'zoe@example.com,49.00 EUR,2025-06-01T09:30:05Z\r\n' +
        'bob@example.com,0.99 EUR,2025-05-31T23:59:59Z\r\n',
    );
  });

  it('writes amounts exactly with their unit, without thousands separators', () => {
    expect(csvAmount('1200', 0, 'credits')).toBe('1200 credits');
    expect(csvAmount(2500n, 6, 'USDC')).toBe('0.0025 USDC');
    expect(csvAmount('123456789', 2, 'EUR')).toBe('1234567.89 EUR');
    expect(csvAmount('-1250', 2, 'EUR')).toBe('-12.50 EUR');
  });

  it('writes moments as ISO 8601 in UTC to the second, and none as empty', () => {
    expect(csvTime('2025-06-01T11:30:05.987+02:00')).toBe('2025-06-01T09:30:05Z');
    expect(csvTime(null)).toBe('');
    expect(csvTime(undefined)).toBe('');
    expect(csvTime('yesterday')).toBe('yesterday');
  });

  it('names the file after the table and the day', () => {
    expect(csvFileName('purchases', new Date(2025, 0, 5, 23, 59))).toBe('purchases-2025-01-05.csv');
    expect(csvFileName('credit-usages', new Date(2025, 11, 31))).toBe('credit-usages-2025-12-31.csv');
  });
});
