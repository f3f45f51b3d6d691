import { formatAmount } from '../money';

/**
 * A SEPA credit transfer initiation (ISO 20022 pain.001.001.03, the version every SEPA bank takes):
 * one payment from the debtor's account to each creditor, in euro, to upload to the bank. Amounts
 * are exact cents; texts are cut to what the standard allows and kept to the SEPA character set.
 */

export interface CreditTransfer {
  /** Unique per transfer, returned on the bank statement: how the payment is recognised there. */
  endToEndId: string;
  amountCents: bigint;
  creditorName: string;
  creditorIban: string;
  /** What the creditor reads on their statement (an invoice's number). */
  remittance: string;
}

export interface CreditTransferFile {
  messageId: string;
  createdAt: Date;
  /** The day the bank should pay, YYYY-MM-DD. */
  executionDate: string;
  debtorName: string;
  debtorIban: string;
  debtorBic: string | null;
  transfers: readonly CreditTransfer[];
}

/** Letters, digits and the punctuation every SEPA bank accepts; anything else becomes a space or a plain letter. */
export function sepaText(text: string, max: number): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const element = (name: string, content: string) => `<${name}>${content}</${name}>`;
const textElement = (name: string, value: string) => element(name, escapeXml(value));

export function creditTransferXml(file: CreditTransferFile): string {
  if (file.transfers.length === 0) throw new RangeError('a credit transfer file needs at least one transfer');
  for (const transfer of file.transfers) {
    if (transfer.amountCents <= 0n) throw new RangeError('a transfer moves more than nothing');
  }
  const sum = formatAmount(
    file.transfers.reduce((total, t) => total + t.amountCents, 0n),
    2,
  );
  const count = String(file.transfers.length);
  const created = file.createdAt.toISOString().slice(0, 19);
  const debtorAgent = file.debtorBic
    ? element('FinInstnId', textElement('BIC', file.debtorBic))
    : element('FinInstnId', element('Othr', textElement('Id', 'NOTPROVIDED')));
  const transactions = file.transfers
    .map((t) =>
      element(
        'CdtTrfTxInf',
        element('PmtId', textElement('EndToEndId', sepaText(t.endToEndId, 35))) +
          element('Amt', `<InstdAmt Ccy="EUR">${formatAmount(t.amountCents, 2)}</InstdAmt>`) +
          element('Cdtr', textElement('Nm', sepaText(t.creditorName, 70))) +
          element('CdtrAcct', element('Id', textElement('IBAN', t.creditorIban))) +
          element('RmtInf', textElement('Ustrd', sepaText(t.remittance, 140))),
      ),
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    element(
      'CstmrCdtTrfInitn',
      element(
        'GrpHdr',
        textElement('MsgId', sepaText(file.messageId, 35)) +
          textElement('CreDtTm', created) +
          textElement('NbOfTxs', count) +
          textElement('CtrlSum', sum) +
          element('InitgPty', textElement('Nm', sepaText(file.debtorName, 70))),
      ) +
        element(
          'PmtInf',
          textElement('PmtInfId', sepaText(`${file.messageId}-1`, 35)) +
            textElement('PmtMtd', 'TRF') +
            textElement('BtchBookg', 'true') +
            textElement('NbOfTxs', count) +
            textElement('CtrlSum', sum) +
            element('PmtTpInf', element('SvcLvl', textElement('Cd', 'SEPA'))) +
            textElement('ReqdExctnDt', file.executionDate) +
            element('Dbtr', textElement('Nm', sepaText(file.debtorName, 70))) +
            element('DbtrAcct', element('Id', textElement('IBAN', file.debtorIban))) +
            element('DbtrAgt', debtorAgent) +
            textElement('ChrgBr', 'SLEV') +
            transactions,
        ),
    ) +
    '</Document>\n'
  );
}
