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
 * A SEPA core direct debit initiation (ISO 20022 pain.008.001.02, the version the SEPA Core rulebook
 * implementation guidelines name): the creditor collects from each debtor's account under the
 * mandate the debtor signed, in euro. One payment information block per collection day and sequence
 * type, as the rulebook asks: a mandate's first collection (FRST) and the following ones (RCUR) are
 * told apart, and a one-off mandate is OOFF.
 */

export const sequenceTypes = ['FRST', 'RCUR', 'OOFF'] as const;
export type SequenceType = (typeof sequenceTypes)[number];

export interface DirectDebit {
  /** Unique per debit, returned on the creditor's statement (and with a return): how it is recognised. */
  endToEndId: string;
  amountCents: bigint;
  /** The day the money is collected, YYYY-MM-DD. */
  collectionDate: string;
  sequenceType: SequenceType;
  mandateId: string;
  /** The day the debtor signed the mandate, YYYY-MM-DD. */
  mandateSignedOn: string;
  debtorName: string;
  debtorIban: string;
  /** Optional since IBAN-only direct debits; "not provided" without it. */
  debtorBic: string | null;
  /** What the debtor reads on their statement (the bill's reference). */
  remittance: string;
}

export interface DirectDebitFile {
  messageId: string;
  createdAt: Date;
  creditorName: string;
  creditorIban: string;
  creditorBic: string | null;
  /** The SEPA creditor identifier (`creditor-identifier.ts` checks it). */
  creditorId: string;
  debits: readonly DirectDebit[];
}

/** The debits grouped by collection day and sequence type, in the order they first appear. */
function paymentGroups(debits: readonly DirectDebit[]): DirectDebit[][] {
  const groups = new Map<string, DirectDebit[]>();
  for (const debit of debits) {
    const key = `${debit.collectionDate}/${debit.sequenceType}`;
    groups.set(key, [...(groups.get(key) ?? []), debit]);
  }
  return [...groups.values()];
}

export function directDebitXml(file: DirectDebitFile): string {
  if (file.debits.length === 0) throw new RangeError('a direct debit file needs at least one debit');
  for (const debit of file.debits) {
    if (debit.amountCents <= 0n) throw new RangeError('a direct debit collects more than nothing');
  }
  const all = controlTotals(file.debits.map((d) => d.amountCents));
  const creditorSchemeId = element(
    'CdtrSchmeId',
    element(
      'Id',
      element(
        'PrvtId',
        element(
          'Othr',
          textElement('Id', file.creditorId) + element('SchmeNm', textElement('Prtry', 'SEPA')),
        ),
      ),
    ),
  );
  const payments = paymentGroups(file.debits)
    .map((group, index) => {
      const { count, sum } = controlTotals(group.map((d) => d.amountCents));
      const first = group[0]!;
      const transactions = group
        .map((d) =>
          element(
            'DrctDbtTxInf',
            element('PmtId', textElement('EndToEndId', sepaText(d.endToEndId, 35))) +
              euroElement('InstdAmt', d.amountCents) +
              element(
                'DrctDbtTx',
                element(
                  'MndtRltdInf',
                  textElement('MndtId', sepaText(d.mandateId, 35)) +
                    textElement('DtOfSgntr', d.mandateSignedOn),
                ),
              ) +
              agentElement('DbtrAgt', d.debtorBic) +
              element('Dbtr', textElement('Nm', sepaText(d.debtorName, 70))) +
              element('DbtrAcct', element('Id', textElement('IBAN', d.debtorIban))) +
              element('RmtInf', textElement('Ustrd', sepaText(d.remittance, 140))),
          ),
        )
        .join('');
      return element(
        'PmtInf',
        textElement('PmtInfId', sepaText(`${file.messageId}-${index + 1}`, 35)) +
          textElement('PmtMtd', 'DD') +
          textElement('BtchBookg', 'true') +
          textElement('NbOfTxs', count) +
          textElement('CtrlSum', sum) +
          element(
            'PmtTpInf',
            element('SvcLvl', textElement('Cd', 'SEPA')) +
              element('LclInstrm', textElement('Cd', 'CORE')) +
              textElement('SeqTp', first.sequenceType),
          ) +
          textElement('ReqdColltnDt', first.collectionDate) +
          element('Cdtr', textElement('Nm', sepaText(file.creditorName, 70))) +
          element('CdtrAcct', element('Id', textElement('IBAN', file.creditorIban))) +
          agentElement('CdtrAgt', file.creditorBic) +
          textElement('ChrgBr', 'SLEV') +
          creditorSchemeId +
          transactions,
      );
    })
    .join('');
  return documentXml(
    'pain.008.001.02',
    element(
      'CstmrDrctDbtInitn',
      element(
        'GrpHdr',
        textElement('MsgId', sepaText(file.messageId, 35)) +
          textElement('CreDtTm', creationTime(file.createdAt)) +
          textElement('NbOfTxs', all.count) +
          textElement('CtrlSum', all.sum) +
          element('InitgPty', textElement('Nm', sepaText(file.creditorName, 70))),
      ) + payments,
    ),
  );
}
