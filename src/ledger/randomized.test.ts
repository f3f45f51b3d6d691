import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/database';
import { TestClock } from '../core/clock';
import { type Db, queryRows } from '../core/database';
import { newId } from '../core/ids';
import { applyTransfers, expireDuePendingTransfers } from './engine';
import { findLedgerViolations } from './invariants';
import { createAccounts, createLedger } from './service';
import { isSuccess, type TransferInput, type TransferResultCode } from './types';

/**
 * Thousands of random ledger operations — creates, transfers, linked batches with a failing member,
 * holds, partial posts, voids, expiries, retries with the same id and with a changed field — after
 * which the invariants must hold and every id must have been applied at most once.
 * The seed is printed on failure; set LEDGER_SEED to replay one.
 */

const OPERATIONS = 2500;
const seed = Number(process.env.LEDGER_SEED ?? 20261123);

function mulberry32(start: number) {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  input: TransferInput;
  result: TransferResultCode;
}

let db: Db;
const clock = new TestClock('2026-07-01T00:00:00Z');

beforeAll(async () => {
  db = (await freshDatabase()).db;
});

describe(`randomized ledger operations (seed ${seed})`, () => {
  it('keeps every invariant and applies each id at most once', async () => {
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const chance = (p: number) => random() < p;

    const ledgers = ['USDC', 'EUR'] as const;
    for (const code of ledgers) await createLedger({ db, clock }, { code, scale: code === 'USDC' ? 6 : 2 });
    const accounts: { id: string; ledger: string }[] = [];
    const openAccount = async () => {
      const ledger = pick(ledgers);
      const limit = random();
      const id = newId();
      const [outcome] = await createAccounts({ db, clock }, [
        {
          id,
          ledger,
          code: 'random',
          flags: { debitsMustNotExceedCredits: limit < 0.4, creditsMustNotExceedDebits: limit > 0.85 },
        },
      ]);
      expect(outcome?.result).toBe('ok');
      accounts.push({ id, ledger });
    };
    for (let i = 0; i < 8; i++) await openAccount();

    const sent: Sent[] = [];
    const succeeded = new Map<string, TransferInput>();
    const openHolds: string[] = [];
    const apply = async (inputs: TransferInput[]) => {
      const results = await db.transaction((tx) => applyTransfers(tx, inputs, { clock }));
      results.forEach((r, index) => {
        const input = inputs[index]!;
        sent.push({ input, result: r.result });
        if (r.result === 'ok') {
          expect(succeeded.has(input.id), `id ${input.id} applied twice`).toBe(false);
          succeeded.set(input.id, input);
          if (input.flags?.pending) openHolds.push(input.id);
        }
      });
      return results;
    };
    const amount = () => BigInt(1 + Math.floor(random() * (chance(0.1) ? 5000 : 200)));
    const newTransfer = (extra: Partial<TransferInput> = {}): TransferInput => {
      const debit = pick(accounts);
      const sameLedger = accounts.filter((a) => a.ledger === debit.ledger && a.id !== debit.id);
      const credit = sameLedger.length > 0 && !chance(0.03) ? pick(sameLedger) : pick(accounts);
      return {
        id: newId(),
        debitAccountId: debit.id,
        creditAccountId: credit.id,
        amount: amount(),
        ledger: chance(0.02) ? pick(ledgers) : debit.ledger,
        code: pick(['pay', 'fee', 'refund']),
        ...extra,
      };
    };

    for (let op = 0; op < OPERATIONS; op++) {
      const roll = random();
      if (roll < 0.02) {
        await openAccount();
      } else if (roll < 0.35) {
        await apply(Array.from({ length: 1 + Math.floor(random() * 4) }, () => newTransfer()));
      } else if (roll < 0.45) {
        const chain = Array.from({ length: 2 + Math.floor(random() * 3) }, () =>
          newTransfer({ flags: { linked: true } }),
        );
        if (chance(0.5)) chain[Math.floor(random() * chain.length)]!.amount = 10n ** 30n;
        if (chance(0.9)) chain[chain.length - 1]!.flags = {};
        const results = await apply(chain);
        const codes = results.map((r) => r.result);
        // All or none.
        expect(codes.every((c) => c === 'ok') || codes.every((c) => c !== 'ok'), codes.join()).toBe(true);
      } else if (roll < 0.6) {
        await apply([newTransfer({ flags: { pending: true }, timeoutSeconds: pick([0, 5, 60, 3600]) })]);
      } else if (roll < 0.72 && openHolds.length > 0) {
        const hold = openHolds.splice(Math.floor(random() * openHolds.length), 1)[0]!;
        const held = succeeded.get(hold)!.amount!;
        const post = chance(0.6);
        await apply([
          {
            id: newId(),
            pendingId: hold,
            amount: post && chance(0.5) ? BigInt(1 + Math.floor(random() * Number(held + 5n))) : undefined,
            flags: post ? { postPendingTransfer: true } : { voidPendingTransfer: true },
          },
        ]);
      } else if (roll < 0.8 && sent.length > 0) {
        const earlier = pick(sent);
        const results = await apply([{ ...earlier.input }]);
        // A linked member sent alone leaves its chain open, which is checked before idempotency.
        if (earlier.input.flags?.linked) expect(results[0]?.result).toBe('linked_event_chain_open');
        else if (isSuccess(earlier.result)) expect(results[0]?.result).toBe('exists');
      } else if (roll < 0.88 && succeeded.size > 0) {
        const earlier = pick([...succeeded.values()]);
        const changed = {
          ...earlier,
          amount: (earlier.amount ?? 1n) + 1n,
          flags: { ...earlier.flags, linked: false },
        };
        const [result] = await apply([changed]);
        expect(result?.result).toMatch(/^exists_with_different_/);
      } else if (roll < 0.94) {
        clock.advance(Math.floor(random() * 20_000));
      } else {
        await db.transaction((tx) => expireDuePendingTransfers(tx, { clock }));
      }
    }

    expect(await findLedgerViolations(db), `seed ${seed}`).toEqual([]);

    const stored = await queryRows<{ id: string; kind: string }>(
      db,
      sql`SELECT id, kind FROM ledger_transfers`,
    );
    const storedClientIds = stored
      .filter((row) => row.kind !== 'expire_pending')
      .map((row) => row.id)
      .sort();
    expect(storedClientIds).toEqual([...succeeded.keys()].sort());
    const failures = sent.filter((s) => !isSuccess(s.result)).length;
    // The run must exercise both outcomes, or it proves little.
    expect(succeeded.size).toBeGreaterThan(500);
    expect(failures).toBeGreaterThan(100);
    expect(stored.some((row) => row.kind === 'expire_pending')).toBe(true);
    expect(stored.some((row) => row.kind === 'post_pending')).toBe(true);
    expect(stored.some((row) => row.kind === 'void_pending')).toBe(true);
  });
});
