import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateIso20022 } from '../../../test/support/iso20022';
import { formatAmount } from '../money';
import { type DirectDebit, directDebitXml } from './pain008';

const debit = (overrides: Partial<DirectDebit>): DirectDebit => ({
  endToEndId: 'TALLY-DD-O1-A',
  amountCents: 556n,
  collectionDate: '2026-06-03',
  sequenceType: 'FRST',
  mandateId: 'TALLY-M-0001',
  mandateSignedOn: '2026-05-20',
  debtorName: 'Jürgen Müller',
  debtorIban: 'DE89370400440532013000',
  debtorBic: null,
  remittance: 'Order 1 RF18539007547034',
  ...overrides,
});

const file = {
  messageId: 'TALLY-DD-20260601-1',
  createdAt: new Date('2026-06-01T09:30:00Z'),
  creditorName: 'Grüne Kiste e.V.',
  creditorIban: 'DE02120300000000202051',
  creditorBic: 'BYLADEM1001',
  creditorId: 'DE98ZZZ09999999999',
  debits: [
    debit({}),
    debit({
      endToEndId: 'TALLY-DD-O1-B',
      amountCents: 1299n,
      sequenceType: 'RCUR',
      mandateId: 'TALLY-M-0002',
      debtorName: 'Flat 3B <& co>',
      debtorIban: 'NL91ABNA0417164300',
      debtorBic: 'ABNANL2A',
    }),
    debit({ endToEndId: 'TALLY-DD-O1-C', amountCents: 642n, mandateId: 'TALLY-M-0003' }),
  ],
};

const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (name) => name === 'PmtInf',
  }).parse(xml).Document;

describe('a SEPA core direct debit file (pain.008.001.02)', () => {
  it('groups the debits by collection day and sequence type, with counts and sums that tie to them', () => {
    const document = parse(directDebitXml(file));
    expect(document['@_xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.008.001.02');
    const initiation = document.CstmrDrctDbtInitn;
    const chosen = formatAmount(556n + 1299n + 642n, 2);
    expect(initiation.GrpHdr).toMatchObject({
      NbOfTxs: '3',
      CtrlSum: chosen,
      CreDtTm: '2026-06-01T09:30:00',
    });
    const [first, recurring] = initiation.PmtInf;
    expect(initiation.PmtInf).toHaveLength(2);
    expect(first).toMatchObject({
      PmtMtd: 'DD',
      NbOfTxs: '2',
      CtrlSum: '11.98',
      PmtTpInf: { SvcLvl: { Cd: 'SEPA' }, LclInstrm: { Cd: 'CORE' }, SeqTp: 'FRST' },
      ReqdColltnDt: '2026-06-03',
      Cdtr: { Nm: 'Grune Kiste e.V.' },
      CdtrAcct: { Id: { IBAN: 'DE02120300000000202051' } },
      CdtrAgt: { FinInstnId: { BIC: 'BYLADEM1001' } },
      CdtrSchmeId: { Id: { PrvtId: { Othr: { Id: 'DE98ZZZ09999999999', SchmeNm: { Prtry: 'SEPA' } } } } },
    });
    expect(first.DrctDbtTxInf[0]).toMatchObject({
      PmtId: { EndToEndId: 'TALLY-DD-O1-A' },
      InstdAmt: { '#text': '5.56', '@_Ccy': 'EUR' },
      DrctDbtTx: { MndtRltdInf: { MndtId: 'TALLY-M-0001', DtOfSgntr: '2026-05-20' } },
      DbtrAgt: { FinInstnId: { Othr: { Id: 'NOTPROVIDED' } } },
      Dbtr: { Nm: 'Jurgen Muller' },
      DbtrAcct: { Id: { IBAN: 'DE89370400440532013000' } },
      RmtInf: { Ustrd: 'Order 1 RF18539007547034' },
    });
    expect(recurring).toMatchObject({ NbOfTxs: '1', CtrlSum: '12.99', PmtTpInf: { SeqTp: 'RCUR' } });
    expect(recurring.DrctDbtTxInf).toMatchObject({
      Dbtr: { Nm: 'Flat 3B co' },
      DbtrAgt: { FinInstnId: { BIC: 'ABNANL2A' } },
    });
  });

  it('is valid against the official pain.008.001.02 schema, with and without BICs', async () => {
    expect(await validateIso20022(directDebitXml(file), 'pain.008.001.02')).toEqual({
      valid: true,
      errors: [],
    });
    const noBics = {
      ...file,
      creditorBic: null,
      debits: file.debits.map((d) => ({ ...d, debtorBic: null })),
    };
    expect(await validateIso20022(directDebitXml(noBics), 'pain.008.001.02')).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('is told invalid when the document breaks the schema', async () => {
    const xml = directDebitXml(file);
    for (const broken of [
      xml.replace('<SeqTp>FRST</SeqTp>', '<SeqTp>NEXT</SeqTp>'),
      xml.replace('<DtOfSgntr>2026-05-20</DtOfSgntr>', '<DtOfSgntr>20.05.2026</DtOfSgntr>'),
      xml.replaceAll('<PmtMtd>DD</PmtMtd>', ''),
    ]) {
      expect(broken).not.toBe(xml);
      expect((await validateIso20022(broken, 'pain.008.001.02')).valid).toBe(false);
    }
  });

  it('refuses an empty file and a debit of nothing', () => {
    expect(() => directDebitXml({ ...file, debits: [] })).toThrow(RangeError);
    expect(() => directDebitXml({ ...file, debits: [debit({ amountCents: 0n })] })).toThrow(RangeError);
  });
});
