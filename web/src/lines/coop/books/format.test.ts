import { describe, expect, it } from 'vitest';
import { importWords, lineName, queueWords } from './format';

const counts = {
  lines: 5,
  known: 0,
  matched: 1,
  producers_paid: 0,
  bad_amount: 1,
  unmatched: 2,
  outgoing: 1,
};

describe('a bank statement in words', () => {
  it('says what an import did', () => {
    expect(importWords(counts)).toBe(
      '5 lines: 1 paid a bill, 1 for a wrong amount to confirm, 2 waiting, 1 outgoing.',
    );
    expect(importWords({ ...counts, lines: 1, matched: 1, bad_amount: 0, unmatched: 0, outgoing: 0 })).toBe(
      '1 line: 1 paid a bill.',
    );
    expect(
      importWords({
        ...counts,
        lines: 2,
        matched: 0,
        producers_paid: 1,
        bad_amount: 0,
        unmatched: 0,
        outgoing: 1,
      }),
    ).toBe('2 lines: 1 paid a producer, 1 outgoing.');
    expect(importWords({ ...counts, lines: 7, known: 2 })).toBe(
      '7 lines: 1 paid a bill, 1 for a wrong amount to confirm, 2 waiting, 1 outgoing, 2 already imported.',
    );
  });

  it('says when the statement was imported before, or is empty', () => {
    const again = {
      lines: 5,
      known: 5,
      matched: 0,
      producers_paid: 0,
      bad_amount: 0,
      unmatched: 0,
      outgoing: 0,
    };
    expect(importWords(again)).toBe('Already imported: all 5 lines were here before; nothing changed.');
    expect(importWords({ ...again, lines: 1, known: 1 })).toBe(
      'Already imported: its line was here before; nothing changed.',
    );
    expect(importWords({ ...again, lines: 0, known: 0 })).toBe(
      'The statement has no booked line: nothing changed.',
    );
  });

  it('names a line by its amount and who paid or was paid', () => {
    expect(lineName({ amount_cents: '642', direction: 'credit', counterparty_name: 'Obi' })).toBe(
      '€6.42 from Obi',
    );
    expect(lineName({ amount_cents: '1200', direction: 'debit', counterparty_name: 'Lindenhof' })).toBe(
      '€12.00 to Lindenhof',
    );
    expect(lineName({ amount_cents: '5', direction: 'credit', counterparty_name: ' ' })).toBe(
      '€0.05 from an unnamed payer',
    );
  });

  it('says what waits in the queue', () => {
    const line = (state: 'bad_amount' | 'unmatched' | 'matched') => ({ state }) as never;
    expect(queueWords([line('bad_amount'), line('unmatched'), line('unmatched'), line('matched')])).toBe(
      '3 lines wait for you: 1 for a wrong amount to confirm, 2 to assign to a bill or set aside.',
    );
    expect(queueWords([line('unmatched')])).toBe('1 line waits for you: 1 to assign to a bill or set aside.');
    expect(queueWords([line('matched')])).toBe('Nothing waits: every line of the statements is decided.');
  });
});
