import { toCsv } from '../../core/csv';
import { formatAmount } from '../../core/money';
import { type PdfBlock, renderPdf } from '../../core/pdf';
import type { Receipt } from './service';

/**
 * A receipt as its subscriber files it (a PDF, and a CSV of one row) and as a producer's accountant
 * takes a month of them (one CSV, a row per receipt, the same columns). Dollars with two decimals,
 * tokens with every one of their 18.
 */

const usd = (cents: bigint) => formatAmount(cents, 2);
const tokens = (wei: bigint) => formatAmount(wei, 18).replace(/\.?0+$/, '');
const moment = (at: Date) => `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** 2000 basis points are "20 %", 550 "5.5 %". */
export function vatRateLabel(rateBps: number): string {
  const whole = Math.trunc(rateBps / 100);
  const fraction = String(rateBps % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} %`;
}

export const descriptionOf = (r: Receipt) =>
  `${r.plan.name}: streamed by the second from ${moment(r.streamedFrom)} to ${moment(r.streamedTo)}`;

export const valuationOf = (r: Receipt) =>
  r.valuation === 'par'
    ? `valued at par (1 ${r.token} = 1 USD)`
    : r.valuation === 'fixed_rate'
      ? `valued at the configured USD rate of ${r.token} on each day of streaming`
      : `no USD price known for ${r.token} on every day`;

export const coverageOf = (r: Receipt) =>
  r.complete
    ? 'Everything streamed in the period is booked.'
    : `Covers what is booked up to ${moment(r.bookedUntil)}; the rest of the period is not booked yet.`;

export const paidNoteOf = (r: Receipt) =>
  `Receipt of a stream already paid on chain: ${r.token} (a Superfluid super token) on chain ${r.chainId ?? 'not configured'}, from the buyer’s wallet to the seller’s payout wallet. Nothing is due.`;

export const RECEIPT_CSV_COLUMNS = [
  'receipt_number',
  'issue_date',
  'period_from',
  'period_to',
  'complete',
  'booked_until',
  'seller_name',
  'seller_legal_name',
  'seller_site',
  'seller_postal_address',
  'seller_tax_id',
  'seller_wallet',
  'buyer_wallet',
  'buyer_name',
  'buyer_email',
  'subscription_id',
  'description',
  'token',
  'chain_id',
  'amount_wei',
  'amount_tokens',
  'valuation',
  'total_usd',
  'vat_rate',
  'net_usd',
  'vat_usd',
  'note',
] as const;

const csvRow = (r: Receipt): (string | null)[] => [
  r.number,
  r.issuedOn,
  r.period.from,
  r.period.to,
  r.complete ? 'yes' : 'no',
  r.bookedUntil.toISOString(),
  r.seller.name,
  r.seller.legalName,
  r.seller.site,
  r.seller.postalAddress,
  r.seller.taxId,
  r.seller.payoutAddress,
  r.buyer.wallet,
  r.buyer.name,
  r.buyer.email,
  r.subscriptionId,
  descriptionOf(r),
  r.token,
  r.chainId === null ? null : String(r.chainId),
  r.wei.toString(),
  tokens(r.wei),
  r.valuation,
  r.usdCents === null ? null : usd(r.usdCents),
  r.vat ? vatRateLabel(r.vat.rateBps) : 'no VAT charged',
  r.vat ? usd(r.vat.netCents) : null,
  r.vat ? usd(r.vat.vatCents) : null,
  paidNoteOf(r),
];

export function receiptsCsv(receipts: readonly Receipt[]): string {
  return toCsv(RECEIPT_CSV_COLUMNS, receipts.map(csvRow));
}

export const receiptFileName = (r: Receipt, extension: 'csv' | 'pdf') => `receipt-${r.number}.${extension}`;

export function receiptPdf(r: Receipt, options: { uncompressed?: boolean } = {}): Promise<Buffer> {
  const seller: [string, string][] = [
    ['Name', r.seller.legalName ? `${r.seller.legalName} (${r.seller.name})` : r.seller.name],
  ];
  if (r.seller.postalAddress) seller.push(['Address', r.seller.postalAddress.replace(/\s*\n\s*/g, ', ')]);
  if (r.seller.site) seller.push(['Site', r.seller.site]);
  if (r.seller.taxId) seller.push(['Tax id', r.seller.taxId]);
  seller.push(['Payout wallet', r.seller.payoutAddress]);
  const buyer: [string, string][] = [['Wallet', r.buyer.wallet]];
  if (r.buyer.name) buyer.push(['Name', r.buyer.name]);
  if (r.buyer.email) buyer.push(['Email', r.buyer.email]);
  const total = r.usdCents === null ? 'not known' : `${usd(r.usdCents)} USD`;
  const blocks: PdfBlock[] = [
    {
      kind: 'facts',
      facts: [
        ['Receipt number', r.number],
        ['Issue date', r.issuedOn],
        ['Period', `${r.period.from} to ${r.period.to} (UTC, both included)`],
        ['Booked', r.complete ? 'in full' : `up to ${moment(r.bookedUntil)}`],
      ],
    },
    { kind: 'heading', text: 'Seller' },
    { kind: 'facts', facts: seller },
    { kind: 'heading', text: 'Buyer' },
    { kind: 'facts', facts: buyer },
    { kind: 'heading', text: 'What was streamed' },
    {
      kind: 'table',
      columns: [
        { label: 'Description', width: 215 },
        { label: 'Quantity', width: 150, align: 'right' },
        { label: 'Amount (USD)', width: 130, align: 'right' },
      ],
      rows: [[descriptionOf(r), `${tokens(r.wei)} ${r.token}`, r.usdCents === null ? '' : usd(r.usdCents)]],
      total: ['Total paid', '', total],
    },
    {
      kind: 'paragraph',
      text: `${tokens(r.wei)} ${r.token} is ${r.wei.toString()} wei of the token; ${valuationOf(r)}.`,
    },
    {
      kind: 'facts',
      facts: r.vat
        ? [
            ['VAT rate', vatRateLabel(r.vat.rateBps)],
            ['Net', `${usd(r.vat.netCents)} USD`],
            ['VAT included', `${usd(r.vat.vatCents)} USD`],
            ['Total', total],
          ]
        : [['VAT', 'no VAT charged']],
    },
    { kind: 'paragraph', text: coverageOf(r) },
    { kind: 'paragraph', text: paidNoteOf(r) },
  ];
  return renderPdf({
    title: `Receipt ${r.number}`,
    createdAt: new Date(`${r.issuedOn}T00:00:00Z`),
    blocks,
    uncompressed: options.uncompressed,
  });
}
