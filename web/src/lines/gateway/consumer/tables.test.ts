import { describe, expect, it } from 'vitest';
import type { GatewayWithdrawal } from '../types';
import { withdrawalNextStep } from './tables';

const withdrawal = (fields: Partial<GatewayWithdrawal>): GatewayWithdrawal => ({
  id: '0193f0c2-7d4e-7a10-9b1e-3c5d7f9a1b2c',
  state: 'pending',
  to: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  amount: '1000000',
  asset: 'USDC',
  transaction_id: '0193f0c2-7d4e-7a10-9b1e-3c5d7f9a1b2d',
  encrypted: false,
  failure: null,
  created_at: '2026-12-07T00:00:00.000Z',
  finished_at: null,
  ...fields,
});

describe('what happens to a withdrawal', () => {
  it('says whether the treasury pays it or the private balance, and where it stands', () => {
    expect(withdrawalNextStep(withdrawal({}))).toBe(
      'Held from your balance while the transfer is on its way.',
    );
    expect(withdrawalNextStep(withdrawal({ encrypted: true, transaction_id: null }))).toBe(
      'Held from your balance while the withdrawal out of your private balance is proven (a few seconds).',
    );
    expect(withdrawalNextStep(withdrawal({ encrypted: true }))).toBe(
      'Held from your balance while the transfer is on its way.',
    );
    expect(withdrawalNextStep(withdrawal({ state: 'paid' }))).toBe('Paid to your wallet.');
    expect(withdrawalNextStep(withdrawal({ state: 'paid', encrypted: true }))).toBe(
      'Paid to your wallet out of your private balance.',
    );
    expect(
      withdrawalNextStep(
        withdrawal({
          state: 'failed',
          encrypted: true,
          failure:
            'the withdrawal out of your encrypted account could not be made (no proof): the credits are back',
        }),
      ),
    ).toBe(
      'the withdrawal out of your encrypted account could not be made (no proof): the credits are back.',
    );
    expect(withdrawalNextStep(withdrawal({ state: 'failed', failure: 'replaced' }))).toBe(
      'The chain refused the transfer; the credits are back in your balance (replaced).',
    );
  });
});
