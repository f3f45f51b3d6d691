import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateIso20022 } from '../../../test/support/iso20022';
import { formatAmount } from '../money';
import { creditTransferXml } from './pain001';
import { sepaText } from './sepa-xml';

const file = {
  messageId: 'PAY-2026-12-07-1',
  createdAt: new Date('2026-12-07T09:30:00Z'),
  executionDate: '2026-12-08',
  debtorName: 'Grüne Kiste e.V.',
  debtorIban: 'DE02120300000000202051',
  debtorBic: 'BYLADEM1001',
  transfers: [
    {
      endToEndId: 'O1-LINDENHOF',
      amountCents: 1530n,
      creditorName: 'Lindenhof & Söhne',
      creditorIban: 'DE75512108001245126199',
      remittance: 'Invoice order 1',
    },
    {
      endToEndId: 'O1-DAIRY',
      amountCents: 792n,
      creditorName: 'Hill Dairy',
      creditorIban: 'DE89370400440532013000',
      remittance: 'Invoice <order 1>',
    },
  ],
};

describe('a SEPA credit transfer file (pain.001.001.03)', () => {
  it('holds each transfer with its exact amount, and counts and sums that tie to them', () => {
    const xml = creditTransferXml(file);
    const parsed = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(xml);
    const initiation = parsed.Document.CstmrCdtTrfInitn;
    expect(parsed.Document['@_xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    expect(initiation.GrpHdr).toMatchObject({
      MsgId: 'PAY-2026-12-07-1',
      NbOfTxs: '2',
      CtrlSum: '23.22',
      CreDtTm: '2026-12-07T09:30:00',
    });
    expect(initiation.PmtInf).toMatchObject({
      PmtMtd: 'TRF',
      NbOfTxs: '2',
      CtrlSum: '23.22',
      ReqdExctnDt: '2026-12-08',
      Dbtr: { Nm: 'Grune Kiste e.V.' },
      DbtrAcct: { Id: { IBAN: 'DE02120300000000202051' } },
      DbtrAgt: { FinInstnId: { BIC: 'BYLADEM1001' } },
      ChrgBr: 'SLEV',
    });
    const transfers = initiation.PmtInf.CdtTrfTxInf;
    expect(transfers.map((t: { Amt: { InstdAmt: { '#text': string } } }) => t.Amt.InstdAmt['#text'])).toEqual(
      ['15.30', '7.92'],
    );
    expect(transfers[0]).toMatchObject({
      PmtId: { EndToEndId: 'O1-LINDENHOF' },
      Cdtr: { Nm: 'Lindenhof Sohne' },
    });
    expect(transfers[1].RmtInf.Ustrd).toBe('Invoice order 1');
  });

  it('names the debtor’s bank as not provided without a BIC, and refuses an empty or zero transfer', () => {
    expect(creditTransferXml({ ...file, debtorBic: null })).toContain(
      '<DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>',
    );
    expect(() => creditTransferXml({ ...file, transfers: [] })).toThrow(RangeError);
    expect(() =>
      creditTransferXml({ ...file, transfers: [{ ...file.transfers[0]!, amountCents: 0n }] }),
    ).toThrow(RangeError);
  });

  it('is valid against the official pain.001.001.03 schema, with and without a BIC, and its sums are the transfers chosen', async () => {
    for (const variant of [file, { ...file, debtorBic: null }]) {
      const xml = creditTransferXml(variant);
      expect(await validateIso20022(xml, 'pain.001.001.03')).toEqual({ valid: true, errors: [] });
      const chosen = formatAmount(
        variant.transfers.reduce((sum, t) => sum + t.amountCents, 0n),
        2,
      );
      const parsed = new XMLParser({ parseTagValue: false }).parse(xml).Document.CstmrCdtTrfInitn;
      expect([parsed.GrpHdr.CtrlSum, parsed.PmtInf.CtrlSum]).toEqual([chosen, chosen]);
      expect([parsed.GrpHdr.NbOfTxs, parsed.PmtInf.NbOfTxs]).toEqual(['2', '2']);
    }
  });

  it('is told invalid by the same check when the document breaks the schema', async () => {
    const xml = creditTransferXml(file);
    // A payment day that is no date, and a payment without its method (which the schema requires).
    for (const broken of [
      xml.replace('<ReqdExctnDt>2026-12-08</ReqdExctnDt>', '<ReqdExctnDt>tomorrow</ReqdExctnDt>'),
      xml.replace('<PmtMtd>TRF</PmtMtd>', ''),
    ]) {
      expect(broken).not.toBe(xml);
      const result = await validateIso20022(broken, 'pain.001.001.03');
      expect(result.valid).toBe(false);
      expect(result.errors.join('\n')).toMatch(/ReqdExctnDt|PmtMtd/);
    }
  });

  it('keeps texts to the SEPA character set and length', () => {
    expect(sepaText('Müller & Söhne GmbH – Bäckerei', 70)).toBe('Muller Sohne GmbH Backerei');
    expect(sepaText('x'.repeat(200), 140)).toHaveLength(140);
  });
});
