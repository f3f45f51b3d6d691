import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/database';
import { TestClock } from '../core/clock';
import type { Db } from '../core/database';
import { newId } from '../core/ids';
import { UINT256_MAX } from '../core/money';
import { applyTransferGroups, applyTransfers, expireDuePendingTransfers } from './engine';
import { findLedgerViolations } from './invariants';
import { createAccounts, createLedger, getAccount, getAccountHistory } from './service';
import type { TransferInput } from './types';

let db: Db;
const clock = new TestClock('2026-03-01T00:00:00Z');

beforeAll(async () => {
  db = (await freshDatabase()).db;
  await createLedger({ db, clock }, { code: 'USDC', scale: 6 });
  await createLedger({ db, clock }, { code: 'EUR', scale: 2 });
});

async function account(options: { ledger?: string; limit?: 'debits' | 'credits' } = {}): Promise<string> {
  const id = newId();
  const [outcome] = await createAccounts({ db, clock }, [
    {
      id,
      ledger: options.ledger ?? 'USDC',
      code: 'test',
      flags: {
        debitsMustNotExceedCredits: options.limit === 'debits',
        creditsMustNotExceedDebits: options.limit === 'credits',
      },
    },
  ]);
  expect(outcome?.result).toBe('ok');
  return id;
}

const apply = (inputs: TransferInput[]) => db.transaction((tx) => applyTransfers(tx, inputs, { clock }));
const balances = async (id: string) => {
  const a = await getAccount({ db }, id);
  return [a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted];
};

/** A user wallet that cannot go negative, funded from an unlimited treasury. */
async function fundedWallet(amount: bigint): Promise<{ treasury: string; wallet: string }> {
  const treasury = await account();
  const wallet = await account({ limit: 'debits' });
  const [funded] = await apply([
    { id: newId(), debitAccountId: treasury, creditAccountId: wallet, amount, ledger: 'USDC', code: 'fund' },
  ]);
  expect(funded?.result).toBe('ok');
  return { treasury, wallet };
}

describe('posted transfers', () => {
  it('moves value and records each side with its balance after', async () => {
    const a = await account();
    const b = await account();
    const id = newId();
    const [result] = await apply([
      { id, debitAccountId: a, creditAccountId: b, amount: 250n, ledger: 'USDC', code: 'pay' },
    ]);
    expect(result?.result).toBe('ok');
    expect(result?.transfer?.amount).toBe(250n);
    expect(await balances(a)).toEqual([0n, 250n, 0n, 0n]);
    expect(await balances(b)).toEqual([0n, 0n, 0n, 250n]);
    const history = await getAccountHistory({ db }, b);
    expect(history.items).toHaveLength(1);
    expect(history.items[0]?.side).toBe('credit');
    expect(history.items[0]?.balance.creditsPosted).toBe(250n);
  });

  it('refuses to overdraw an account whose debits must not exceed its credits, and changes nothing', async () => {
    const { wallet, treasury } = await fundedWallet(100n);
    const [over] = await apply([
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 101n,
        ledger: 'USDC',
        code: 'spend',
      },
    ]);
    expect(over?.result).toBe('exceeds_credits');
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 100n]);
    const [exact] = await apply([
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 100n,
        ledger: 'USDC',
        code: 'spend',
      },
    ]);
    expect(exact?.result).toBe('ok');
  });

  it('refuses to credit past the debits of a credits-limited account', async () => {
    const limited = await account({ limit: 'credits' });
    const other = await account();
    const [result] = await apply([
      { id: newId(), debitAccountId: other, creditAccountId: limited, amount: 1n, ledger: 'USDC', code: 'x' },
    ]);
    expect(result?.result).toBe('exceeds_debits');
  });

  it('names each malformed transfer by its first broken rule', async () => {
    const a = await account();
    const b = await account();
    const eur = await account({ ledger: 'EUR' });
    const base = { debitAccountId: a, creditAccountId: b, amount: 1n, ledger: 'USDC', code: 'x' };
    const cases: [TransferInput, string][] = [
      [
        { ...base, id: newId(), flags: { pending: true, postPendingTransfer: true } },
        'flags_are_mutually_exclusive',
      ],
      [{ ...base, id: newId(), pendingId: newId() }, 'pending_id_must_be_zero'],
      [{ ...base, id: newId(), timeoutSeconds: 5 }, 'timeout_reserved_for_pending_transfer'],
      [{ ...base, id: newId(), creditAccountId: a }, 'accounts_must_be_different'],
      [{ ...base, id: newId(), amount: 0n }, 'amount_must_not_be_zero'],
      [{ ...base, id: newId(), debitAccountId: newId() }, 'debit_account_not_found'],
      [{ ...base, id: newId(), creditAccountId: newId() }, 'credit_account_not_found'],
      [{ ...base, id: newId(), creditAccountId: eur }, 'accounts_must_have_the_same_ledger'],
      [{ ...base, id: newId(), ledger: 'EUR' }, 'transfer_must_have_the_same_ledger_as_accounts'],
      [{ id: newId(), flags: { postPendingTransfer: true } }, 'pending_id_must_not_be_zero'],
      [
        { id: newId(), pendingId: newId(), flags: { voidPendingTransfer: true } },
        'pending_transfer_not_found',
      ],
    ];
    const results = await apply(cases.map(([input]) => input));
    expect(results.map((r) => r.result)).toEqual(cases.map(([, code]) => code));
    expect(await balances(a)).toEqual([0n, 0n, 0n, 0n]);
  });

  it('refuses transfers on a closed account', async () => {
    const a = await account();
    const b = await account();
    await db.execute(`UPDATE ledger_accounts SET closed = true WHERE id = '${b}'`);
    const [result] = await apply([
      { id: newId(), debitAccountId: a, creditAccountId: b, amount: 1n, ledger: 'USDC', code: 'x' },
    ]);
    expect(result?.result).toBe('credit_account_already_closed');
  });
});

describe('inputs the edges never let through', () => {
  it('are a caller’s bug: refused by name before anything is read or written', async () => {
    const a = await account();
    const b = await account();
    const base = {
      id: newId(),
      debitAccountId: a,
      creditAccountId: b,
      amount: 1n,
      ledger: 'USDC',
      code: 'x',
    };
    const cases: [TransferInput, string][] = [
      [{ ...base, id: 'not-an-id' }, 'transfer id "not-an-id" is not a UUID'],
      [{ ...base, debitAccountId: 'nope' }, 'debitAccountId "nope" is not a UUID'],
      [{ ...base, creditAccountId: 'nope' }, 'creditAccountId "nope" is not a UUID'],
      [{ ...base, pendingId: 'nope' }, 'pendingId "nope" is not a UUID'],
      [{ ...base, amount: -1n }, 'amount must be between 0 and 2^256-1'],
      [{ ...base, amount: UINT256_MAX + 1n }, 'amount must be between 0 and 2^256-1'],
      [{ ...base, timeoutSeconds: -1 }, 'timeoutSeconds must be a non-negative 32-bit integer'],
      [{ ...base, timeoutSeconds: 1.5 }, 'timeoutSeconds must be a non-negative 32-bit integer'],
      [{ ...base, timeoutSeconds: 2 ** 31 }, 'timeoutSeconds must be a non-negative 32-bit integer'],
    ];
    for (const [input, message] of cases) {
      await expect(apply([input]), message).rejects.toMatchObject({ code: 'validation_failed', message });
    }
    expect(await balances(a)).toEqual([0n, 0n, 0n, 0n]);
    // The bounds themselves pass: a zero amount and the largest timeout reach the engine's own rules.
    const [zero, longest] = await apply([
      { ...base, id: newId(), amount: 0n },
      { ...base, id: newId(), timeoutSeconds: 2 ** 31 - 1 },
    ]);
    expect(zero?.result).toBe('amount_must_not_be_zero');
    expect(longest?.result).toBe('timeout_reserved_for_pending_transfer');
    const [largest] = await apply([{ ...base, id: newId(), amount: UINT256_MAX }]);
    expect(largest?.result).toBe('ok');
  });
});

describe('several callers in one transaction', () => {
  it('evaluates each group as if sent alone: a chain left open ends with its group', async () => {
    const a = await account();
    const b = await account();
    const t = (extra: Partial<TransferInput> = {}): TransferInput => ({
      id: newId(),
      debitAccountId: a,
      creditAccountId: b,
      amount: 1n,
      ledger: 'USDC',
      code: 'x',
      ...extra,
    });
    const open = t({ flags: { linked: true } });
    const alone = t();
    const [first, second] = await db.transaction((tx) =>
      applyTransferGroups(tx, [[open], [alone]], { clock }),
    );
    expect(first?.map((r) => r.result)).toEqual(['linked_event_chain_open']);
    expect(second?.map((r) => r.result)).toEqual(['ok']);
    expect(second?.[0]?.transfer?.amount).toBe(1n);
    expect(first?.[0]?.transfer).toBeUndefined();
    expect(await balances(b)).toEqual([0n, 0n, 0n, 1n]);
  });
});

describe('idempotency', () => {
  it('returns the original transfer on a retry with the same fields, and applies it once', async () => {
    const a = await account();
    const b = await account();
    const input = {
      id: newId(),
      debitAccountId: a,
      creditAccountId: b,
      amount: 7n,
      ledger: 'USDC',
      code: 'pay',
      metadata: { k: 1 },
    };
    const [first] = await apply([input]);
    const [again] = await apply([{ ...input, metadata: { k: 1 } }]);
    expect(first?.result).toBe('ok');
    expect(again?.result).toBe('exists');
    expect(again?.transfer?.seq).toBe(first?.transfer?.seq);
    expect(await balances(b)).toEqual([0n, 0n, 0n, 7n]);
    const inOneBatch = await apply([
      { ...input, id: newId() },
      { ...input, id: input.id },
    ]);
    expect(inOneBatch.map((r) => r.result)).toEqual(['ok', 'exists']);
  });

  it('names the field that differs on a retry with a changed body', async () => {
    const a = await account();
    const b = await account();
    const c = await account();
    const input = {
      id: newId(),
      debitAccountId: a,
      creditAccountId: b,
      amount: 7n,
      ledger: 'USDC',
      code: 'pay',
    };
    await apply([input]);
    const results = await apply([
      { ...input, amount: 8n },
      { ...input, creditAccountId: c },
      { ...input, code: 'other' },
      { ...input, metadata: { changed: true } },
      { ...input, flags: { pending: true } },
    ]);
    // A refusal carries no transfer, not even the stored one it was compared with.
    expect(results.map((r) => r.transfer)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(results.map((r) => r.result)).toEqual([
      'exists_with_different_amount',
      'exists_with_different_credit_account_id',
      'exists_with_different_code',
      'exists_with_different_metadata',
      'exists_with_different_flags',
    ]);
    expect(await balances(b)).toEqual([0n, 0n, 0n, 7n]);
  });
});

describe('linked transfers', () => {
  it('applies a chain all or none and names the member that failed', async () => {
    const { wallet, treasury } = await fundedWallet(10n);
    const merchant = await account();
    const chain = await apply([
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: merchant,
        amount: 6n,
        ledger: 'USDC',
        code: 'a',
        flags: { linked: true },
      },
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: merchant,
        amount: 6n,
        ledger: 'USDC',
        code: 'b',
        flags: { linked: true },
      },
      {
        id: newId(),
        debitAccountId: treasury,
        creditAccountId: merchant,
        amount: 1n,
        ledger: 'USDC',
        code: 'c',
      },
      {
        id: newId(),
        debitAccountId: treasury,
        creditAccountId: merchant,
        amount: 2n,
        ledger: 'USDC',
        code: 'd',
      },
    ]);
    expect(chain.map((r) => r.result)).toEqual([
      'linked_event_failed',
      'exceeds_credits',
      'linked_event_failed',
      'ok',
    ]);
    expect(await balances(merchant)).toEqual([0n, 0n, 0n, 2n]);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 10n]);
  });

  it('fails a chain left open at the end of the batch', async () => {
    const a = await account();
    const b = await account();
    const results = await apply([
      {
        id: newId(),
        debitAccountId: a,
        creditAccountId: b,
        amount: 1n,
        ledger: 'USDC',
        code: 'a',
        flags: { linked: true },
      },
      {
        id: newId(),
        debitAccountId: a,
        creditAccountId: b,
        amount: 1n,
        ledger: 'USDC',
        code: 'b',
        flags: { linked: true },
      },
    ]);
    expect(results.map((r) => r.result)).toEqual(['linked_event_failed', 'linked_event_chain_open']);
    expect(await balances(b)).toEqual([0n, 0n, 0n, 0n]);
  });
});

describe('two-phase transfers', () => {
  it('holds, posts part, and releases the rest', async () => {
    const { wallet, treasury } = await fundedWallet(100n);
    const hold = newId();
    const [held] = await apply([
      {
        id: hold,
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 60n,
        ledger: 'USDC',
        code: 'hold',
        flags: { pending: true },
        timeoutSeconds: 60,
      },
    ]);
    expect(held?.result).toBe('ok');
    expect(held?.transfer?.expiresAt?.toISOString()).toBe(
      new Date(clock.now().getTime() + 60_000).toISOString(),
    );
    expect(await balances(wallet)).toEqual([60n, 0n, 0n, 100n]);
    const [second] = await apply([
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 41n,
        ledger: 'USDC',
        code: 'hold',
        flags: { pending: true },
      },
    ]);
    expect(second?.result).toBe('exceeds_credits');

    const [tooMuch] = await apply([
      { id: newId(), pendingId: hold, amount: 61n, flags: { postPendingTransfer: true } },
    ]);
    expect(tooMuch?.result).toBe('exceeds_pending_transfer_amount');
    const post = newId();
    const [posted] = await apply([
      { id: post, pendingId: hold, amount: 45n, flags: { postPendingTransfer: true } },
    ]);
    expect(posted?.result).toBe('ok');
    expect(await balances(wallet)).toEqual([0n, 45n, 0n, 100n]);
    const retries = await apply([
      { id: post, pendingId: hold, amount: 45n, flags: { postPendingTransfer: true } },
      { id: newId(), pendingId: hold, flags: { postPendingTransfer: true } },
      { id: newId(), pendingId: hold, flags: { voidPendingTransfer: true } },
    ]);
    expect(retries.map((r) => r.result)).toEqual([
      'exists',
      'pending_transfer_already_posted',
      'pending_transfer_already_posted',
    ]);
  });

  it('voids a hold and refuses to post it afterwards', async () => {
    const { wallet, treasury } = await fundedWallet(10n);
    const hold = newId();
    await apply([
      {
        id: hold,
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 10n,
        ledger: 'USDC',
        code: 'h',
        flags: { pending: true },
      },
    ]);
    const results = await apply([
      { id: newId(), pendingId: hold, amount: 9n, flags: { voidPendingTransfer: true } },
      { id: newId(), pendingId: hold, flags: { voidPendingTransfer: true } },
      { id: newId(), pendingId: hold, flags: { postPendingTransfer: true } },
    ]);
    expect(results.map((r) => r.result)).toEqual([
      'pending_transfer_has_different_amount',
      'ok',
      'pending_transfer_already_voided',
    ]);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 10n]);
  });

  it('expires a hold by itself when its timeout passes, and refuses to post it after', async () => {
    const { wallet, treasury } = await fundedWallet(10n);
    const swept = newId();
    const checked = newId();
    await apply([
      {
        id: swept,
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 3n,
        ledger: 'USDC',
        code: 'h',
        flags: { pending: true },
        timeoutSeconds: 30,
      },
      {
        id: checked,
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 4n,
        ledger: 'USDC',
        code: 'h',
        flags: { pending: true },
        timeoutSeconds: 30,
      },
    ]);
    clock.advance(29_999);
    expect(await db.transaction((tx) => expireDuePendingTransfers(tx, { clock }))).toBe(0);
    clock.advance(1);
    // Posting checks the timeout itself, before any sweep ran.
    const [late] = await apply([{ id: newId(), pendingId: checked, flags: { postPendingTransfer: true } }]);
    expect(late?.result).toBe('pending_transfer_expired');
    expect(await db.transaction((tx) => expireDuePendingTransfers(tx, { clock }))).toBe(1);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 10n]);
    const history = await getAccountHistory({ db }, wallet);
    expect(history.items.map((e) => e.transfer.kind)).toEqual([
      'posted',
      'pending',
      'pending',
      'expire_pending',
      'expire_pending',
    ]);
    expect(await findLedgerViolations(db)).toEqual([]);
  });
});

describe('failed ids', () => {
  it('remembers an id that failed on a limit: a retry answers id_already_failed, even once the balance allows it', async () => {
    const { wallet, treasury } = await fundedWallet(10n);
    const id = newId();
    const spend = {
      id,
      debitAccountId: wallet,
      creditAccountId: treasury,
      amount: 15n,
      ledger: 'USDC',
      code: 'pay',
    };
    expect((await apply([spend]))[0]?.result).toBe('exceeds_credits');
    await apply([
      {
        id: newId(),
        debitAccountId: treasury,
        creditAccountId: wallet,
        amount: 50n,
        ledger: 'USDC',
        code: 'fund',
      },
    ]);
    expect((await apply([spend]))[0]?.result).toBe('id_already_failed');
    // In the same batch too: the second attempt of an id that just failed does not run.
    const again = newId();
    const results = await apply([
      { ...spend, id: again, amount: 1_000n },
      { ...spend, id: again, amount: 1n },
    ]);
    expect(results.map((r) => r.result)).toEqual(['exceeds_credits', 'id_already_failed']);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 60n]);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('forgets nothing but transient failures: a malformed transfer or a linked partner can be retried', async () => {
    const { wallet, treasury } = await fundedWallet(10n);
    const id = newId();
    const partner = newId();
    const [partnerResult, failing] = await apply([
      {
        id: partner,
        debitAccountId: treasury,
        creditAccountId: wallet,
        amount: 1n,
        ledger: 'USDC',
        code: 'p',
        flags: { linked: true },
      },
      { id, debitAccountId: wallet, creditAccountId: treasury, amount: 1n, ledger: 'EUR', code: 'p' },
    ]);
    expect(partnerResult?.result).toBe('linked_event_failed');
    expect(failing?.result).toBe('transfer_must_have_the_same_ledger_as_accounts');
    const retried = await apply([
      {
        id: partner,
        debitAccountId: treasury,
        creditAccountId: wallet,
        amount: 1n,
        ledger: 'USDC',
        code: 'p',
        flags: { linked: true },
      },
      { id, debitAccountId: wallet, creditAccountId: treasury, amount: 1n, ledger: 'USDC', code: 'p' },
    ]);
    expect(retried.map((r) => r.result)).toEqual(['ok', 'ok']);
  });
});

describe('account history', () => {
  it('pages through an account in commit order', async () => {
    const a = await account();
    const b = await account();
    await apply(
      Array.from({ length: 7 }, (_, i) => ({
        id: newId(),
        debitAccountId: a,
        creditAccountId: b,
        amount: BigInt(i + 1),
        ledger: 'USDC',
        code: 'p',
      })),
    );
    const first = await getAccountHistory({ db }, b, { limit: 3 });
    const second = await getAccountHistory({ db }, b, { limit: 3, cursor: first.nextCursor! });
    const third = await getAccountHistory({ db }, b, { limit: 3, cursor: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((e) => e.balance.creditsPosted)).toEqual([
      1n,
      3n,
      6n,
      10n,
      15n,
      21n,
      28n,
    ]);
    expect(third.nextCursor).toBeNull();
  });
});
