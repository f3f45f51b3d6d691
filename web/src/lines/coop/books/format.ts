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
