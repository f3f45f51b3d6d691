import {
  agentElement,
  controlTotals,
  creationTime,
  documentXml,
  element,
  euroElement,
  sepaText,
  textElement,
} from './sepa-xml';

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

export function creditTransferXml(file: CreditTransferFile): string {
  if (file.transfers.length === 0) throw new RangeError('a credit transfer file needs at least one transfer');
  for (const transfer of file.transfers) {
    if (transfer.amountCents <= 0n) throw new RangeError('a transfer moves more than nothing');
  }
  const { count, sum } = controlTotals(file.transfers.map((t) => t.amountCents));
  const transactions = file.transfers
    .map((t) =>
      element(
        'CdtTrfTxInf',
        element('PmtId', textElement('EndToEndId', sepaText(t.endToEndId, 35))) +
          element('Amt', euroElement('InstdAmt', t.amountCents)) +
          element('Cdtr', textElement('Nm', sepaText(t.creditorName, 70))) +
          element('CdtrAcct', element('Id', textElement('IBAN', t.creditorIban))) +
          element('RmtInf', textElement('Ustrd', sepaText(t.remittance, 140))),
      ),
    )
    .join('');
  return documentXml(
    'pain.001.001.03',
    element(
      'CstmrCdtTrfInitn',
      element(
        'GrpHdr',
        textElement('MsgId', sepaText(file.messageId, 35)) +
          textElement('CreDtTm', creationTime(file.createdAt)) +
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
            agentElement('DbtrAgt', file.debtorBic) +
            textElement('ChrgBr', 'SLEV') +
            transactions,
        ),
    ),
  );
}
