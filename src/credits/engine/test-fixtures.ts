import { expect } from 'vitest';
import { freshDatabase } from '../../../test/support/database';
import { TestClock } from '../../core/clock';
import type { Database, Db } from '../../core/database';
import { AppError, type ErrorCode } from '../../core/errors';
import { newId } from '../../core/ids';
import type { CreditsErrorCode } from '../errors';
import { type Grant, type GrantInput, grantCredits } from './grants';
import { ensureCreditsLedger } from './ledger';

/** What the engine's tests share: a migrated database with the credits ledger, and a clock they move. */
export interface CreditsFixture {
  database: Database;
  db: Db;
  clock: TestClock;
}

export async function creditsFixture(options: { postgres?: boolean } = {}): Promise<CreditsFixture> {
  const database = await freshDatabase(options);
  const clock = new TestClock('2026-01-15T12:00:00.000Z');
  await ensureCreditsLedger(database.db, clock);
  return { database, db: database.db, clock };
}

/** A grant of `amount` to a new or given person, in its own transaction. */
export function give(
  { db, clock }: CreditsFixture,
  userId: string,
  amount: bigint,
  extra: Partial<GrantInput> = {},
): Promise<Grant> {
  return db.transaction((tx) => grantCredits(tx, clock, { userId, source: 'purchase', amount, ...extra }));
}

export const person = (): string => newId();

/** The AppError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function refusal(
  promise: Promise<unknown>,
  code: ErrorCode | CreditsErrorCode,
): Promise<AppError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  expect(outcome).toHaveProperty('error');
  const { error } = outcome as { error: unknown };
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}
