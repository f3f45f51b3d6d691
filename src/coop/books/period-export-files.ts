import { toCsv } from '../../core/csv';
import { formatAmount } from '../../core/money';
import { type PdfBlock, renderPdf } from '../../core/pdf';
import {
  type EntryKind,
  type ExportEntry,
  MARGIN_DEFINITION,
  type PeriodExport,
  type TiedAccount,
} from './period-export';
import type { VatSplit } from './period-export-vat';

/**
 * The period export as the accountant takes it: one CSV of every entry and summary (a `section`
 * column tells them apart, so a spreadsheet filters it), and a PDF to read and file. Amounts are
 * euros with two decimals; a bill reversed by a correction and a returned direct debit count
 * negative, every other entry
 * positive (its section says which way the money went).
 */

const money = (cents: bigint) => formatAmount(cents, 2);

/** A rate as people write it: 700 basis points are "7 %", 250 "2.5 %". */
export function rateLabel(vatBasisPoints: bigint | null): string {
  if (vatBasisPoints === null) return 'rate not known';
  const whole = vatBasisPoints / 100n;
  const fraction = (vatBasisPoints % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} %`;
}

const day = (at: Date) => at.toISOString().slice(0, 10);

export const sectionLabels: Record<EntryKind, string> = {
  bill: 'Household bills',
  bill_reversal: 'Bills reversed by corrections',
  payment: 'Payments from households',
  payment_return: 'Direct debits returned',
  invoice: 'Producers’ invoices',
  invoice_payment: 'Payments to producers',
  other: 'Other transfers',
};

export const accountLabels: Record<TiedAccount, string> = {
  sales: 'Sales',
  bank: 'Bank',
  purchases: 'Purchases',
  households: 'Households (all)',
  producers: 'Producers (all)',
};

/** Which way an entry counts: a reversal takes a bill back, a returned debit a payment. */
const sign = (entry: ExportEntry) =>
  entry.kind === 'bill_reversal' || entry.kind === 'payment_return' ? -1n : 1n;

const noteOf = (entry: ExportEntry): string => {
  if (entry.kind === 'payment' && entry.orderNumber === null) return 'paid ahead of any bill';
  if (entry.kind === 'other') return `ledger code ${entry.code}`;
  if (entry.correction !== null)
    return `correction ${entry.correction}${entry.reason ? `: ${entry.reason}` : ''}`;
  if (entry.byVatRate.some((s) => s.vatBasisPoints === null)) return 'VAT not known: counted at its total';
  return '';
};

const HEADER = [
  'section',
  'date',
  'order',
  'party',
  'vat_rate',
  'net',
  'vat',
  'total',
  'ledger',
  'note',
  'transfer_id',
] as const;

/** The export as CSV: the period, every entry (bills and invoices one row per VAT rate), then VAT, margin and tie-out. */
export function periodExportCsv(data: PeriodExport): string {
  const rows: (string | null)[][] = [
    [
      'period',
      data.period.from,
      null,
      data.club.name,
      null,
      null,
      null,
      null,
      null,
      `${data.period.from} to ${data.period.to}, days in UTC`,
      null,
    ],
  ];
  for (const entry of data.entries) {
    const base = [
      entry.kind,
      day(entry.at),
      entry.orderNumber === null ? null : String(entry.orderNumber),
      entry.party,
    ];
    const splits: (VatSplit | null)[] = entry.byVatRate.length > 0 ? entry.byVatRate : [null];
    for (const split of splits) {
      const s = sign(entry);
      rows.push([
        ...base,
        split ? rateLabel(split.vatBasisPoints) : null,
        split && split.vatBasisPoints !== null ? money(s * split.netCents) : null,
        split && split.vatBasisPoints !== null ? money(s * split.vatCents) : null,
        money(s * (split ? split.totalCents : entry.amountCents)),
        null,
        noteOf(entry),
        entry.transferId,
      ]);
    }
  }
  for (const [party, splits] of [
    ['sales', data.vat.sales],
    ['purchases', data.vat.purchases],
  ] as const) {
    for (const split of splits) {
      const known = split.vatBasisPoints !== null;
      rows.push([
        'vat',
        null,
        null,
        party,
        rateLabel(split.vatBasisPoints),
        known ? money(split.netCents) : null,
        known ? money(split.vatCents) : null,
        money(split.totalCents),
        null,
        known ? null : 'VAT not known: counted at its total',
        null,
      ]);
    }
  }
  rows.push([
    'margin',
    null,
    null,
    data.club.name,
    null,
    money(data.margin.netCents),
    null,
    money(data.margin.withVatCents),
    null,
    MARGIN_DEFINITION,
    null,
  ]);
  for (const tie of data.tieOut) {
    rows.push([
      'tie_out',
      null,
      null,
      tie.account,
      null,
      null,
      null,
      money(tie.exportCents),
      money(tie.ledgerCents),
      tie.exportCents === tie.ledgerCents ? 'ties to the ledger' : 'DIFFERS from the ledger',
      null,
    ]);
  }
  return toCsv(HEADER, rows);
}

export const periodExportFileName = (data: PeriodExport, extension: 'csv' | 'pdf') =>
  `books-${data.club.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${data.period.from}-to-${data.period.to}.${extension}`;

const entryTable = (entries: readonly ExportEntry[], party: string): PdfBlock => {
  const rows = entries.flatMap((entry) =>
    (entry.byVatRate.length > 0 ? entry.byVatRate : [null]).map((split) => {
      const s = sign(entry);
      const known = split !== null && split.vatBasisPoints !== null;
      return [
        day(entry.at),
        entry.orderNumber === null ? '' : String(entry.orderNumber),
        [entry.party, noteOf(entry)].filter(Boolean).join(' — '),
        split ? rateLabel(split.vatBasisPoints) : '',
        known ? money(s * split.netCents) : '',
        known ? money(s * split.vatCents) : '',
        money(s * (split ? split.totalCents : entry.amountCents)),
      ];
    }),
  );
  const total = entries.reduce((sum, e) => sum + sign(e) * e.amountCents, 0n);
  return {
    kind: 'table',
    columns: [
      { label: 'Date', width: 62 },
      { label: 'Order', width: 38, align: 'right' },
      { label: party, width: 165 },
      { label: 'VAT', width: 60, align: 'right' },
      { label: 'Net', width: 60, align: 'right' },
      { label: 'VAT', width: 50, align: 'right' },
      { label: 'Total', width: 60, align: 'right' },
    ],
    rows,
    total: ['Total', '', '', '', '', '', money(total)],
  };
};

const vatTable = (splits: readonly VatSplit[]): PdfBlock => ({
  kind: 'table',
  columns: [
    { label: 'Rate', width: 120 },
    { label: 'Net', width: 110, align: 'right' },
    { label: 'VAT', width: 110, align: 'right' },
    { label: 'Total', width: 110, align: 'right' },
  ],
  rows: splits.map((s) => {
    const known = s.vatBasisPoints !== null;
    return [
      rateLabel(s.vatBasisPoints),
      known ? money(s.netCents) : '',
      known ? money(s.vatCents) : '',
      money(s.totalCents),
    ];
  }),
  total: [
    'Total',
    '',
    money(splits.reduce((sum, s) => sum + (s.vatBasisPoints === null ? 0n : s.vatCents), 0n)),
    money(splits.reduce((sum, s) => sum + s.totalCents, 0n)),
  ],
});

/** The export as a PDF: the period, the sections, VAT per rate, the margin with its definition, and the tie-out. */
export function periodExportPdf(
  data: PeriodExport,
  options: { uncompressed?: boolean } = {},
): Promise<Buffer> {
  const blocks: PdfBlock[] = [
    {
      kind: 'facts',
      facts: [
        ['Club', data.club.name],
        ['Period', `${data.period.from} to ${data.period.to} (days in UTC, both included)`],
        ['Made', data.madeAt.toISOString().slice(0, 16).replace('T', ' ')],
        ['Amounts', 'EUR; a bill reversed by a correction counts negative'],
      ],
    },
  ];
  for (const kind of Object.keys(sectionLabels) as EntryKind[]) {
    const entries = data.entries.filter((e) => e.kind === kind);
    if (entries.length === 0 && (kind === 'other' || kind === 'payment_return')) continue;
    blocks.push({ kind: 'heading', text: sectionLabels[kind] });
    if (entries.length === 0) blocks.push({ kind: 'paragraph', text: 'None in the period.' });
    else
      blocks.push(
        entryTable(entries, kind === 'invoice' || kind === 'invoice_payment' ? 'Producer' : 'Household'),
      );
  }
  blocks.push(
    { kind: 'heading', text: 'VAT on sales' },
    vatTable(data.vat.sales),
    { kind: 'heading', text: 'VAT on producers’ invoices' },
    vatTable(data.vat.purchases),
    {
      kind: 'paragraph',
      text: 'A producer’s invoice is split by rate when its amount is what the order’s delivery says it comes to; otherwise its VAT is not known and it counts at its total.',
    },
    { kind: 'heading', text: 'Margin' },
    {
      kind: 'facts',
      facts: [
        ['Margin before VAT', `${money(data.margin.netCents)} EUR`],
        ['Margin with VAT', `${money(data.margin.withVatCents)} EUR`],
      ],
    },
    { kind: 'paragraph', text: MARGIN_DEFINITION },
    { kind: 'heading', text: 'Tie-out with the ledger' },
    {
      kind: 'table',
      columns: [
        { label: 'Account', width: 150 },
        { label: 'Ledger', width: 110, align: 'right' },
        { label: 'This export', width: 110, align: 'right' },
        { label: '', width: 90 },
      ],
      rows: data.tieOut.map((t) => [
        accountLabels[t.account],
        money(t.ledgerCents),
        money(t.exportCents),
        t.ledgerCents === t.exportCents ? 'ties' : 'DIFFERS',
      ]),
    },
    {
      kind: 'paragraph',
      text: 'Each account’s credits less debits posted in the period, as the ledger sums them and as this export’s sections add up.',
    },
  );
  return renderPdf({
    title: `Books of ${data.club.name}: ${data.period.from} to ${data.period.to}`,
    createdAt: data.madeAt,
    blocks,
    uncompressed: options.uncompressed,
  });
}
