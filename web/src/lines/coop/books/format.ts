import type { CoopBankLine, CoopBankLineState, CoopStatementImport } from '../../../api/types';
import { formatEuros, plural } from '../format';

/** The states of a statement's line, as the bookkeeper reads them. */
export const bankLineStateLabels: Record<CoopBankLineState, string> = {
  matched: 'Paid a bill',
  bad_amount: 'Wrong amount',
  unmatched: 'Waiting',
  assigned: 'Assigned',
  ignored: 'Set aside',
  outgoing: 'Outgoing',
};

/** What one import did, in words: `5 lines: 1 paid a bill, 1 for a wrong amount to confirm, 2 waiting, 1 outgoing.` */
export function importWords(summary: Omit<CoopStatementImport, 'statement'>): string {
  const {
    lines,
    known,
    matched,
    producers_paid: producersPaid,
    bad_amount: badAmount,
    unmatched,
    outgoing,
  } = summary;
  if (lines === 0) return 'The statement has no booked line: nothing changed.';
  if (known === lines)
    return `Already imported: ${lines === 1 ? 'its line was' : `all ${lines} lines were`} here before; nothing changed.`;
  const parts = [
    matched > 0 ? `${matched} paid a bill` : null,
    producersPaid > 0 ? `${producersPaid} paid a producer` : null,
    badAmount > 0 ? `${badAmount} for a wrong amount to confirm` : null,
    unmatched > 0 ? `${unmatched} waiting` : null,
    outgoing > 0 ? `${outgoing} outgoing` : null,
    known > 0 ? `${known} already imported` : null,
  ].filter(Boolean);
  return `${plural(lines, 'line')}: ${parts.join(', ')}.`;
}

/** The lines that wait for the bookkeeper: a wrong amount to confirm, or a payment to assign or set aside. */
export const isWaiting = (line: CoopBankLine) => line.state === 'bad_amount' || line.state === 'unmatched';

/** What the queue holds, in words (UI.md "the next step in words"). */
export function queueWords(lines: CoopBankLine[]): string {
  const bad = lines.filter((l) => l.state === 'bad_amount').length;
  const unmatched = lines.filter((l) => l.state === 'unmatched').length;
  if (bad + unmatched === 0) return 'Nothing waits: every line of the statements is decided.';
  const parts = [
    bad > 0 ? `${bad} for a wrong amount to confirm` : null,
    unmatched > 0 ? `${unmatched} to assign to a bill or set aside` : null,
  ].filter(Boolean);
  return `${plural(bad + unmatched, 'line waits', 'lines wait')} for you: ${parts.join(', ')}.`;
}

/** A line as people name it: `€6.42 from Obi`, `€12.00 to Lindenhof`. */
export function lineName(
  line: Pick<CoopBankLine, 'amount_cents' | 'direction' | 'counterparty_name'>,
): string {
  const who =
    line.counterparty_name.trim() || (line.direction === 'credit' ? 'an unnamed payer' : 'someone unnamed');
  return `${formatEuros(line.amount_cents)} ${line.direction === 'credit' ? 'from' : 'to'} ${who}`;
}

/** A bill as a line names it: `The Okafors, order 1`. */
export const billName = (bill: { household_name: string; order_number: number }) =>
  `${bill.household_name}, order ${bill.order_number}`;

/** A period of days, both included, as YYYY-MM-DD in UTC: the days the club's books are kept in. */
export interface Period {
  from: string;
  to: string;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The quick picks of the accounts page, from today (UTC). The default is the last full month. */
export function periodPicks(today: Date): Record<'lastMonth' | 'thisMonth' | 'thisYear', Period> {
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth();
  return {
    lastMonth: {
      from: isoDay(new Date(Date.UTC(year, month - 1, 1))),
      to: isoDay(new Date(Date.UTC(year, month, 0))),
    },
    thisMonth: {
      from: isoDay(new Date(Date.UTC(year, month, 1))),
      to: isoDay(new Date(Date.UTC(year, month + 1, 0))),
    },
    thisYear: { from: `${year}-01-01`, to: `${year}-12-31` },
  };
}

/** The server's longest period, in days. */
export const PERIOD_MAX_DAYS = 400;

const dayOf = (text: string) => {
  const date = new Date(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(date.getTime()) && isoDay(date) === text
    ? date
    : null;
};

/** What is wrong with a period as typed, by field, as the server would refuse it. */
export function periodProblems(period: Period): Partial<Record<keyof Period, string>> {
  const from = dayOf(period.from);
  const to = dayOf(period.to);
  if (!from) return { from: 'Enter the first day, such as 2026-06-01' };
  if (!to) return { to: 'Enter the last day, such as 2026-06-30' };
  if (to < from) return { to: 'The last day comes on or after the first' };
  const days = (to.getTime() - from.getTime()) / 86_400_000 + 1;
  if (days > PERIOD_MAX_DAYS)
    return { to: `A period is at most ${PERIOD_MAX_DAYS} days; this one is ${days}` };
  return {};
}

/** The columns a CSV file's first line names: split on the separator it uses (a semicolon or a comma), quotes taken off. */
export function csvColumns(text: string): string[] {
  const line = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r?\n/, 1)[0] ?? '';
  const separator = line.split(';').length > line.split(',').length ? ';' : ',';
  const columns: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted && char === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) {
      columns.push(field.trim());
      field = '';
    } else field += char;
  }
  columns.push(field.trim());
  return columns.filter(Boolean);
}

/** Whether a saved mapping reads a file with these columns: every column it names is there. */
export function mappingFits(
  mapping: {
    booked_on: string;
    amount: string;
    counterparty_name: string;
    remittance: string;
    counterparty_iban?: string | null;
    bank_id?: string | null;
  },
  columns: readonly string[],
): boolean {
  const named = [
    mapping.booked_on,
    mapping.amount,
    mapping.counterparty_name,
    mapping.remittance,
    mapping.counterparty_iban,
    mapping.bank_id,
  ].filter((column): column is string => Boolean(column));
  return named.every((column) => columns.includes(column));
}
