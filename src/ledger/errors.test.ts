import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors';
import { ledgerRefusal } from './errors';
import type { TransferResult, TransferResultCode } from './types';

const refused = (...codes: TransferResultCode[]): TransferResult[] =>
  codes.map((result, i) => ({ id: `t${i}`, result }));

describe('the ledger’s refusals as API errors', () => {
  it('names the cause, not the linked events that failed with it', () => {
    const cases: [TransferResultCode[], string, number][] = [
      [['linked_event_failed', 'pending_transfer_expired'], 'hold_expired', 409],
      [['pending_transfer_already_posted'], 'hold_captured', 409],
      [['pending_transfer_already_voided', 'linked_event_failed'], 'hold_released', 409],
      [['exceeds_pending_transfer_amount'], 'exceeds_hold', 422],
      [['credit_account_already_closed'], 'account_closed', 409],
      [['overflows_credits_posted'], 'amount_overflow', 422],
      [['debit_account_not_found'], 'not_found', 404],
      [['exists_with_different_amount'], 'idempotency_conflict', 409],
      [['accounts_must_be_different'], 'validation_failed', 400],
      [['exceeds_credits'], 'insufficient_funds', 422],
    ];
    for (const [codes, code, status] of cases) {
      const error = ledgerRefusal(refused(...codes));
      expect(error, codes.join(',')).toBeInstanceOf(AppError);
      expect({
        code: error.code,
        status: error.status,
        result: (error.details as { result: string }).result,
      }).toEqual({
        code,
        status,
        result: codes.find((c) => c !== 'linked_event_failed'),
      });
    }
  });

  it('words a reached limit as the line says it', () => {
    const mine = new AppError('insufficient_funds', '3 credits are needed and 1 is available');
    expect(ledgerRefusal(refused('exceeds_debits'), () => mine)).toBe(mine);
  });
});
