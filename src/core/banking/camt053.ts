import { XMLParser } from 'fast-xml-parser';
import { AppError } from '../errors';
import { parseAmount } from '../money';
import { findCreditorReferences } from './creditor-reference';
import { compact } from './mod97';

/**
 * A bank statement in ISO 20022 CAMT.053 (`BkToCstmrStmt`), as European banks export it, read into
 * the lines a bookkeeper works with. Versions 001.02 to 001.08 share the parts read here; the
 * namespace is ignored. Amounts stay exact (read as text, never as a number).
 */

export interface StatementLine {
  /**
   * The bank's own id for the line, what makes importing a statement twice change nothing: the
   * account servicer's reference of the transaction, else of the entry, else the entry reference,
   * else the statement's id with the line's place in it.
   */
  bankId: string;
  bookedOn: string;
  /** Minor units of `currency` (cents), always positive; `direction` says which way it went. */
  amountMinor: bigint;
  currency: string;
  direction: 'credit' | 'debit';
  /** Who paid (a credit) or was paid (a debit). */
  counterpartyName: string;
  counterpartyIban: string | null;
  /** The payer's free text, joined. */
  remittance: string;
  /** Structured creditor references: given as such, or found valid in the free text. */
  references: string[];
  endToEndId: string | null;
}

export interface Statement {
  id: string;
  accountIban: string | null;
  createdAt: string | null;
  lines: StatementLine[];
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['Stmt', 'Ntry', 'TxDtls', 'Ustrd', 'Strd', 'NtryDtls'].includes(name),
  processEntities: true,
});

const child = (node: unknown, ...path: string[]): unknown => {
  let current = node;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Node)[part];
  }
  return current;
};
const text = (node: unknown, ...path: string[]): string | null => {
  const value = child(node, ...path);
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Node)['#text'] === 'string')
    return (value as Node)['#text'] as string;
  return null;
};
const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

export class StatementError extends AppError {
  constructor(message: string) {
    super('validation_failed', `the statement cannot be read: ${message}`, { field: 'file' });
  }
}

/** Reads a CAMT.053 document; throws a `StatementError` saying what is wrong with it. */
export function parseCamt053(xml: string): Statement[] {
  let document: Node;
  try {
    document = parser.parse(xml, true) as Node;
  } catch (error) {
    throw new StatementError(`it is not well-formed XML (${(error as Error).message.split('\n')[0]})`);
  }
  const statements = list(child(document, 'Document', 'BkToCstmrStmt', 'Stmt'));
  if (statements.length === 0)
    throw new StatementError('it is not a CAMT.053 bank statement (no BkToCstmrStmt/Stmt)');
  return statements.map((statement, s) => {
    const id = text(statement, 'Id') ?? `statement-${s + 1}`;
    const lines: StatementLine[] = [];
    list(child(statement, 'Ntry')).forEach((entry, e) => {
      const status = text(entry, 'Sts', 'Cd') ?? text(entry, 'Sts');
      // Only booked lines are money that moved; pending and informational ones come back booked.
      if (status !== null && status !== 'BOOK') return;
      const direction = text(entry, 'CdtDbtInd') === 'DBIT' ? 'debit' : 'credit';
      const bookedOn = text(entry, 'BookgDt', 'Dt') ?? text(entry, 'BookgDt', 'DtTm')?.slice(0, 10) ?? '';
      const entryAmount = amountOf(child(entry, 'Amt'), `entry ${e + 1}`);
      const details = list(child(entry, 'NtryDtls')).flatMap((d) => list(child(d, 'TxDtls')));
      const parts = details.length === 0 ? [undefined] : details;
      parts.forEach((tx, t) => {
        const amount =
          tx && child(tx, 'Amt') !== undefined ? amountOf(child(tx, 'Amt'), `entry ${e + 1}`) : entryAmount;
        const party = direction === 'credit' ? 'Dbtr' : 'Cdtr';
        const name =
          text(tx, 'RltdPties', party, 'Nm') ??
          text(tx, 'RltdPties', party, 'Pty', 'Nm') ??
          text(entry, 'AddtlNtryInf') ??
          '';
        const iban = text(tx, 'RltdPties', `${party}Acct`, 'Id', 'IBAN');
        const unstructured = list(child(tx, 'RmtInf', 'Ustrd')).filter(
          (u): u is string => typeof u === 'string',
        );
        const structured = list(child(tx, 'RmtInf', 'Strd'))
          .map((s) => text(s, 'CdtrRefInf', 'Ref'))
          .filter((r): r is string => r !== null);
        const remittance = unstructured.join(' ');
        const references = [...new Set([...structured.map(compact), ...findCreditorReferences(remittance)])];
        const bankId =
          text(tx, 'Refs', 'AcctSvcrRef') ??
          (parts.length === 1 ? text(entry, 'AcctSvcrRef') : null) ??
          (parts.length === 1 ? text(entry, 'NtryRef') : null) ??
          `${id}/${e + 1}/${t + 1}`;
        lines.push({
          bankId,
          bookedOn,
          amountMinor: amount.minor,
          currency: amount.currency,
          direction,
          counterpartyName: name,
          counterpartyIban: iban ? compact(iban) : null,
          remittance,
          references,
          endToEndId: text(tx, 'Refs', 'EndToEndId'),
        });
      });
    });
    const accountIban = text(statement, 'Acct', 'Id', 'IBAN');
    return {
      id,
      accountIban: accountIban ? compact(accountIban) : null,
      createdAt: text(statement, 'CreDtTm'),
      lines,
    };
  });
}

function amountOf(node: unknown, where: string): { minor: bigint; currency: string } {
  const value = text(node);
  const currency =
    typeof node === 'object' && node ? ((node as Node)['@Ccy'] as string | undefined) : undefined;
  if (!value || !currency) throw new StatementError(`${where} has no amount with its currency`);
  if (currency !== 'EUR')
    throw new StatementError(`${where} is in ${currency}: only euro statements are read`);
  try {
    return { minor: parseAmount(value, 2), currency };
  } catch {
    throw new StatementError(`${where}: "${value}" is not an amount in euro`);
  }
}
