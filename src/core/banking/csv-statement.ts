import { createHash } from 'node:crypto';
import { CsvError, parseCsv } from '../csv';
import { parseAmount } from '../money';
import type { StatementLine } from './camt053';
import { StatementError } from './camt053';
import { findCreditorReferences } from './creditor-reference';
import { compact } from './mod97';

/**
 * A bank's CSV export read through a column mapping the bookkeeper saves once per bank: which
 * column holds the date, the signed amount, the payer or payee, their IBAN, the free text, and
 * (when the bank gives one) its own id for the line.
 */
export interface CsvStatementMapping {
  bookedOn: string;
  /** Signed: a credit above zero, a debit below. */
  amount: string;
  counterpartyName: string;
  counterpartyIban?: string | null;
  remittance: string;
  bankId?: string | null;
  dateFormat: 'DD.MM.YYYY' | 'YYYY-MM-DD' | 'MM/DD/YYYY';
  decimalSeparator: ',' | '.';
}

function isoDate(text: string, format: CsvStatementMapping['dateFormat']): string | null {
  const parts =
    format === 'YYYY-MM-DD'
      ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)?.slice(1)
      : format === 'DD.MM.YYYY'
        ? /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text)?.slice(1).reverse()
        : (() => {
            const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
            return m ? [m[3]!, m[1]!, m[2]!] : undefined;
          })();
  if (!parts) return null;
  const [year, month, day] = parts as [string, string, string];
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** Reads the rows of a bank's CSV export; throws a `StatementError` naming the line and column at fault. */
export function parseCsvStatement(text: string, mapping: CsvStatementMapping): StatementLine[] {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new StatementError(error.message);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw new StatementError('the file is empty');
  const names = header.fields.map((name) => name.trim());
  const columnOf = (column: string | null | undefined, required: boolean) => {
    if (!column) return -1;
    const index = names.indexOf(column);
    if (index < 0 && required)
      throw new StatementError(`it has no column "${column}" (its columns: ${names.join(', ')})`);
    return index;
  };
  const at = {
    bookedOn: columnOf(mapping.bookedOn, true),
    amount: columnOf(mapping.amount, true),
    name: columnOf(mapping.counterpartyName, true),
    iban: columnOf(mapping.counterpartyIban, false),
    remittance: columnOf(mapping.remittance, true),
    bankId: columnOf(mapping.bankId, false),
  };
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const cell = (index: number) => (index < 0 ? '' : (row.fields[index] ?? '').trim());
    const bookedOn = isoDate(cell(at.bookedOn), mapping.dateFormat);
    if (!bookedOn)
      throw new StatementError(
        `line ${row.line}: "${cell(at.bookedOn)}" is not a date as ${mapping.dateFormat}`,
      );
    const raw = cell(at.amount).replace(/\s/g, '');
    const normalised =
      mapping.decimalSeparator === ',' ? raw.replace(/\./g, '').replace(',', '.') : raw.replace(/,/g, '');
    const negative = normalised.startsWith('-');
    let amountMinor: bigint;
    try {
      amountMinor = parseAmount(normalised.replace(/^[-+]/, ''), 2);
    } catch {
      throw new StatementError(`line ${row.line}: "${cell(at.amount)}" is not an amount in euro`);
    }
    if (amountMinor === 0n) throw new StatementError(`line ${row.line}: an amount of nothing`);
    const remittance = cell(at.remittance);
    const name = cell(at.name);
    // Without the bank's own id, the line's content names it; identical lines of one file are told apart by their turn.
    const content = [bookedOn, negative ? '-' : '', amountMinor, name, remittance].join('|');
    const turn = (seen.get(content) ?? 0) + 1;
    seen.set(content, turn);
    const bankId =
      cell(at.bankId) ||
      `csv:${createHash('sha256').update(`${content}|${turn}`).digest('hex').slice(0, 32)}`;
    const iban = cell(at.iban);
    return {
      bankId,
      bookedOn,
      amountMinor,
      currency: 'EUR',
      direction: negative ? 'debit' : 'credit',
      counterpartyName: name,
      counterpartyIban: iban ? compact(iban) : null,
      remittance,
      references: findCreditorReferences(remittance),
      endToEndId: null,
    };
  });
}
