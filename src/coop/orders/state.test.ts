import { describe, expect, it } from 'vitest';
import { refusalCodes } from '../../core/state-machine';
import { coopErrors } from '../errors';
import { orderStatuses } from '../schema';
import { orderMachine } from './state';

/**
 * The seed's moves, and nothing else: Preparing → Open → Closed → Processed → Finished, Closed →
 * Finished when empty, and back to Closed from Processed or Finished for a correction.
 */
const allowed = new Set([
  'preparing>open',
  'open>closed',
  'closed>processed',
  'closed>finished',
  'processed>finished',
  'processed>closed',
  'finished>closed',
]);

describe('the order’s states', () => {
  it('allows exactly the seed’s moves and refuses every other one with the refusing state’s code', () => {
    for (const from of orderStatuses) {
      for (const to of orderStatuses) {
        if (allowed.has(`${from}>${to}`)) {
          expect(orderMachine.move(from, to)).toBe(to);
          continue;
        }
        expect(() => orderMachine.move(from, to), `${from} → ${to}`).toThrowError(
          expect.objectContaining({
            code: `order_${from}`,
            status: 409,
            details: { state: from, requested: to },
          }),
        );
      }
    }
  });

  it('declares every refusal code in the line’s catalogue, with its status', () => {
    const declared = coopErrors.definitions as Record<string, { status: number }>;
    for (const code of refusalCodes(orderMachine)) expect(declared[code]?.status, code).toBe(409);
    expect(refusalCodes(orderMachine)).toHaveLength(orderStatuses.length);
  });
});
