import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors';
import { subscriptionStates } from '../schema';
import { closedStateOf, closeReasonOf, isLive, moveSubscription } from './lifecycle';

const allowed = new Set([
  'active→at_risk',
  'active→closed',
  'active→liquidated',
  'at_risk→active',
  'at_risk→closed',
  'at_risk→liquidated',
  'closed→liquidated',
]);

describe('a subscription’s states', () => {
  for (const from of subscriptionStates) {
    for (const to of subscriptionStates) {
      const move = `${from}→${to}`;
      if (allowed.has(move)) {
        it(`moves ${move}`, () => expect(moveSubscription(from, to)).toBe(to));
      } else {
        it(`refuses ${move}`, () => {
          expect(() => moveSubscription(from, to)).toThrow(AppError);
          try {
            moveSubscription(from, to);
          } catch (error) {
            expect((error as AppError).code).toBe('conflict');
          }
        });
      }
    }
  }

  it('streams while active or at risk only', () => {
    expect(subscriptionStates.filter(isLive)).toEqual(['active', 'at_risk']);
  });
});

describe('the reason of a close', () => {
  const tally = '0x00000000000000000000000000000000000000aa';
  const subscriber = '0x00000000000000000000000000000000000000bb';

  it('is the flow operator that deleted the flow, in any letter case', () => {
    expect(closeReasonOf(tally.toUpperCase().replace('0X', '0x'), subscriber, tally)).toBe('operator');
    expect(closeReasonOf(subscriber, subscriber.toUpperCase().replace('0X', '0x'), tally)).toBe('subscriber');
    expect(closeReasonOf('0x00000000000000000000000000000000000000cc', subscriber, tally)).toBe('liquidated');
  });

  it('leaves a liquidated subscription without grace, every other close with it', () => {
    expect(closedStateOf('operator')).toBe('closed');
    expect(closedStateOf('subscriber')).toBe('closed');
    expect(closedStateOf('liquidated')).toBe('liquidated');
  });
});
