import { describe, expect, it } from 'vitest';
import { matchLine, nameLikeness, type OpenBill } from './matching';

const bill = (
  householdName: string,
  owedCents: bigint,
  reference: string,
  memberNames: string[] = [],
): OpenBill => ({
  orderId: 'order',
  householdId: householdName,
  householdName,
  memberNames,
  reference,
  owedCents,
});
const bills = [
  bill('The Millers', 1185n, 'RF47A', ['Anna Miller', 'Mia Miller']),
  bill('Flat 3B', 576n, 'RF48B', ['Nils Berg']),
  bill('The Okafors', 680n, 'RF49C', ['Obi Okafor']),
  bill('Sara & Paul', 680n, 'RF50D', ['Sara Yilmaz', 'Paul Schmidt']),
];
const line = (fields: Partial<Parameters<typeof matchLine>[0]>) => ({
  references: [],
  amountMinor: 0n,
  counterpartyName: '',
  remittance: '',
  ...fields,
});

describe('matching a statement line to a bill', () => {
  it('pays the bill its reference names, when the amount is what is owed', () => {
    expect(matchLine(line({ references: ['RF47A'], amountMinor: 1185n }), bills)).toMatchObject({
      kind: 'paid',
      bill: { householdName: 'The Millers' },
      confidence: 100,
    });
  });

  it('raises a bad amount, expected and paid, when the reference is right and the amount is not', () => {
    expect(matchLine(line({ references: ['RF48B'], amountMinor: 500n }), bills)).toEqual({
      kind: 'bad_amount',
      bill: bills[1],
      confidence: 100,
      expectedCents: 576n,
      paidCents: 500n,
    });
  });

  it('without a reference, suggests the bill of that amount whose household or member paid, surer with the name', () => {
    const byName = matchLine(line({ amountMinor: 680n, counterpartyName: 'OBI OKAFOR' }), bills);
    expect(byName).toMatchObject({
      kind: 'suggested',
      bill: { householdName: 'The Okafors' },
      confidence: 95,
    });
    const amountOnly = matchLine(line({ amountMinor: 576n, counterpartyName: 'Someone Else' }), bills);
    expect(amountOnly).toMatchObject({
      kind: 'suggested',
      bill: { householdName: 'Flat 3B' },
      confidence: 50,
    });
    const nameOnly = matchLine(line({ amountMinor: 100n, remittance: 'for the millers' }), bills);
    expect(nameOnly).toMatchObject({
      kind: 'suggested',
      bill: { householdName: 'The Millers' },
      confidence: 30,
    });
  });

  it('suggests nothing for a stranger’s odd amount, and ignores a reference of no open bill', () => {
    expect(matchLine(line({ amountMinor: 999n, counterpartyName: 'Unknown Person' }), bills)).toEqual({
      kind: 'none',
    });
    expect(matchLine(line({ references: ['RF99Z'], amountMinor: 12n }), bills)).toEqual({ kind: 'none' });
  });

  it('compares names by their words, accents and case aside', () => {
    expect(nameLikeness('Inês Costa', 'INES COSTA')).toBe(1);
    expect(nameLikeness('Familie Müller', 'Mueller')).toBe(0);
    expect(nameLikeness('Sara Yilmaz', 'Sara & Paul')).toBe(0.5);
  });
});
