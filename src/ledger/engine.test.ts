import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/database';
import { TestClock } from '../core/clock';
import type { Db } from '../core/database';
import { newId } from '../core/ids';
import { UINT256_MAX } from '../core/money';
import { applyTransferGroups, applyTransfers, expireDuePendingTransfers } from './engine';
import { findLedgerViolations } from './invariants';
import {
  createAccounts,
  createLedger,
  getAccount,
  getAccountHistory,
  getTransfer,
  setAccountClosed,
} from './service';
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
    // The transfer as stored, with the place in commit order it was given.
    expect(result?.transfer?.seq).toBeGreaterThan(0n);
    expect(result?.transfer).toEqual(await getTransfer({ db }, id));
    // Only a pending transfer has a state and an expiry.
    expect(result?.transfer?.pendingState).toBeNull();
    expect(result?.transfer?.expiresAt).toBeNull();
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
    const same = newId();
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
      [{ ...base, id: newId(), debitAccountId: undefined }, 'debit_account_id_must_not_be_zero'],
      [{ ...base, id: newId(), creditAccountId: undefined }, 'credit_account_id_must_not_be_zero'],
      [{ ...base, id: newId(), amount: undefined }, 'amount_must_not_be_zero'],
      [{ ...base, id: newId(), ledger: '' }, 'ledger_must_not_be_zero'],
      [{ ...base, id: newId(), code: '' }, 'code_must_not_be_zero'],
      [{ id: newId(), flags: { postPendingTransfer: true } }, 'pending_id_must_not_be_zero'],
      [{ id: same, pendingId: same, flags: { postPendingTransfer: true } }, 'pending_id_must_be_different'],
      [
        { id: newId(), pendingId: newId(), timeoutSeconds: 5, flags: { voidPendingTransfer: true } },
        'timeout_reserved_for_pending_transfer',
      ],
      [
        { id: newId(), pendingId: newId(), amount: 0n, flags: { postPendingTransfer: true } },
        'amount_must_not_be_zero',
      ],
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
      { ...input, debitAccountId: c },
      { ...input, flags: { pending: true }, timeoutSeconds: 5 },
    ]);
    // A refusal carries no transfer, not even the stored one it was compared with.
    expect(results.map((r) => r.transfer)).toEqual(results.map(() => undefined));
    expect(results.map((r) => r.result)).toEqual([
      'exists_with_different_amount',
      'exists_with_different_credit_account_id',
      'exists_with_different_code',
      'exists_with_different_metadata',
      'exists_with_different_flags',
      'exists_with_different_debit_account_id',
      'exists_with_different_flags',
    ]);
    expect(await balances(b)).toEqual([0n, 0n, 0n, 7n]);
    // A hold's retry compares its timeout, and a post's the pending it names.
    const hold = { ...input, id: newId(), flags: { pending: true }, timeoutSeconds: 60 };
    const post = { id: newId(), pendingId: hold.id, flags: { postPendingTransfer: true } };
    expect((await apply([hold, post])).map((r) => r.result)).toEqual(['ok', 'ok']);
    const retries = await apply([
      { ...hold, timeoutSeconds: 61 },
      { ...hold, timeoutSeconds: undefined },
      { ...post, pendingId: input.id },
      hold,
      post,
    ]);
    expect(retries.map((r) => r.result)).toEqual([
      'exists_with_different_timeout',
      'exists_with_different_timeout',
      'exists_with_different_pending_id',
      'exists',
      'exists',
    ]);
    expect(await balances(b)).toEqual([0n, 0n, 0n, 14n]);
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

  it('stores a chain that succeeds as linked, and a retry of it alone is another transfer', async () => {
    const a = await account();
    const b = await account();
    const first = {
      id: newId(),
      debitAccountId: a,
      creditAccountId: b,
      amount: 1n,
      ledger: 'USDC',
      code: 'a',
    };
    const second = { ...first, id: newId(), code: 'b' };
    const chain = await apply([{ ...first, flags: { linked: true } }, second]);
    expect(chain.map((r) => [r.result, r.transfer?.linked])).toEqual([
      ['ok', true],
      ['ok', false],
    ]);
    expect((await apply([first]))[0]?.result).toBe('exists_with_different_flags');
    expect(await balances(b)).toEqual([0n, 0n, 0n, 2n]);
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

  it('undoes only its own chain: what the batch did before stays, and a failed id can be used again', async () => {
    const { wallet, treasury } = await fundedWallet(10n);
    const merchant = await account();
    const hold = newId();
    const [held] = await apply([
      {
        id: hold,
        debitAccountId: treasury,
        creditAccountId: merchant,
        amount: 5n,
        ledger: 'USDC',
        code: 'hold',
        flags: { pending: true },
      },
    ]);
    expect(held?.result).toBe('ok');
    const before = newId();
    const linkedPost = newId();
    const reused = newId();
    const results = await apply([
      // Changes the merchant before the chain: the chain's undo must keep it.
      {
        id: before,
        debitAccountId: treasury,
        creditAccountId: merchant,
        amount: 3n,
        ledger: 'USDC',
        code: 'a',
      },
      // The chain posts a stored hold and moves money under an id, then fails.
      {
        id: linkedPost,
        pendingId: hold,
        flags: { linked: true, postPendingTransfer: true },
      },
      {
        id: reused,
        debitAccountId: treasury,
        creditAccountId: merchant,
        amount: 1n,
        ledger: 'USDC',
        code: 'b',
        flags: { linked: true },
      },
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: merchant,
        amount: 11n,
        ledger: 'USDC',
        code: 'c',
      },
      // The id the failed chain gave its transfer is free again, in the same batch.
      {
        id: reused,
        debitAccountId: treasury,
        creditAccountId: merchant,
        amount: 2n,
        ledger: 'USDC',
        code: 'd',
      },
    ]);
    expect(results.map((r) => r.result)).toEqual([
      'ok',
      'linked_event_failed',
      'linked_event_failed',
      'exceeds_credits',
      'ok',
    ]);
    expect(results[4]?.transfer?.amount).toBe(2n);
    // The merchant has the 3 and the 2, and the hold still pending; the hold can still be posted.
    expect(await balances(merchant)).toEqual([0n, 0n, 5n, 5n]);
    const [posted] = await apply([{ id: newId(), pendingId: hold, flags: { postPendingTransfer: true } }]);
    expect(posted?.result).toBe('ok');
    expect(await balances(merchant)).toEqual([0n, 0n, 0n, 10n]);
    expect(await findLedgerViolations(db)).toEqual([]);
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
    // An expiry is nobody's chain.
    expect(history.items.map((e) => e.transfer.linked)).toEqual([false, false, false, false, false]);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('posts or voids a pending only under its own terms, and a retry of either by its id', async () => {
    const { wallet, treasury } = await fundedWallet(100n);
    const other = await account();
    const euro = await account({ ledger: 'EUR' });
    const hold = newId();
    await apply([
      {
        id: hold,
        debitAccountId: wallet,
        creditAccountId: treasury,
        amount: 50n,
        ledger: 'USDC',
        code: 'h',
        flags: { pending: true },
      },
    ]);
    const post = { pendingId: hold, flags: { postPendingTransfer: true } };
    const refused = await apply([
      { id: newId(), ...post, debitAccountId: other },
      { id: newId(), ...post, creditAccountId: other },
      { id: newId(), ...post, ledger: 'EUR', debitAccountId: wallet },
      { id: newId(), ...post, code: 'other' },
      { id: newId(), ...post, creditAccountId: euro },
      { id: newId(), ...post, amount: 51n },
    ]);
    expect(refused.map((r) => r.result)).toEqual([
      'pending_transfer_has_different_debit_account_id',
      'pending_transfer_has_different_credit_account_id',
      'pending_transfer_has_different_ledger',
      'pending_transfer_has_different_code',
      'pending_transfer_has_different_credit_account_id',
      'exceeds_pending_transfer_amount',
    ]);
    expect(await balances(wallet)).toEqual([50n, 0n, 0n, 100n]);
    // Naming the pending's own terms, and all of its amount, is a post.
    const id = newId();
    const terms = { debitAccountId: wallet, creditAccountId: treasury, ledger: 'USDC', code: 'h' };
    const [posted] = await apply([{ id, ...post, ...terms, amount: 50n }]);
    expect(posted?.result).toBe('ok');
    expect(posted?.transfer).toMatchObject({
      kind: 'post_pending',
      amount: 50n,
      pendingId: hold,
      linked: false,
    });
    expect(await balances(wallet)).toEqual([0n, 50n, 0n, 100n]);
    // A retry by id compares what it names; left out, the amount is the pending's whole.
    const retries = await apply([
      { id, ...post },
      { id, ...post, ...terms },
      { id, ...post, amount: 49n },
      { id, pendingId: hold, flags: { voidPendingTransfer: true } },
      { id, ...post, code: 'other' },
      { id, ...post, ledger: 'EUR' },
      { id, ...post, pendingId: newId() },
      // Sent as a chain, it is not the transfer that was posted alone; its partner fails with it.
      { id, ...post, flags: { postPendingTransfer: true, linked: true } },
      { id, ...post },
    ]);
    expect(retries.map((r) => r.result)).toEqual([
      'exists',
      'exists',
      'exists_with_different_amount',
      'exists_with_different_flags',
      'exists_with_different_code',
      'exists_with_different_ledger',
      'exists_with_different_pending_id',
      'exists_with_different_flags',
      'linked_event_failed',
    ]);
  });

  it('replays a partial post by its amount, and a void whatever amount it leaves out', async () => {
    const { wallet, treasury } = await fundedWallet(100n);
    const hold = (id: string) => ({
      id,
      debitAccountId: wallet,
      creditAccountId: treasury,
      amount: 30n,
      ledger: 'USDC',
      code: 'h',
      flags: { pending: true },
    });
    const partly = newId();
    const released = newId();
    await apply([hold(partly), hold(released)]);
    const post = newId();
    const voided = newId();
    const done = await apply([
      { id: post, pendingId: partly, amount: 10n, flags: { postPendingTransfer: true } },
      // A void may name the amount, if it is the pending's own; a larger one is not an overdraft but a mismatch.
      { id: newId(), pendingId: released, amount: 31n, flags: { voidPendingTransfer: true } },
      { id: voided, pendingId: released, amount: 30n, flags: { voidPendingTransfer: true } },
    ]);
    expect(done.map((r) => r.result)).toEqual(['ok', 'pending_transfer_has_different_amount', 'ok']);
    const retries = await apply([
      { id: post, pendingId: partly, amount: 10n, flags: { postPendingTransfer: true } },
      // Without an amount a post means all of the pending: not what was posted.
      { id: post, pendingId: partly, flags: { postPendingTransfer: true } },
      { id: voided, pendingId: released, flags: { voidPendingTransfer: true } },
      { id: voided, pendingId: released, amount: 30n, flags: { voidPendingTransfer: true } },
      { id: voided, pendingId: released, amount: 29n, flags: { voidPendingTransfer: true } },
    ]);
    expect(retries.map((r) => r.result)).toEqual([
      'exists',
      'exists_with_different_amount',
      'exists',
      'exists',
      'exists_with_different_amount',
    ]);
    expect(await balances(wallet)).toEqual([0n, 10n, 0n, 100n]);
  });

  it('lets a closed account’s hold be released, never posted', async () => {
    const { wallet, treasury } = await fundedWallet(10n);
    const merchant = await account();
    const toClosedDebit = newId();
    const toClosedCredit = newId();
    const pending = (id: string, debitAccountId: string, creditAccountId: string) => ({
      id,
      debitAccountId,
      creditAccountId,
      amount: 2n,
      ledger: 'USDC',
      code: 'h',
      flags: { pending: true },
    });
    const other = await account();
    await apply([pending(toClosedDebit, wallet, treasury), pending(toClosedCredit, treasury, merchant)]);
    await setAccountClosed({ db, clock }, wallet, true);
    await setAccountClosed({ db, clock }, merchant, true);
    const posts = await apply([
      { id: newId(), pendingId: toClosedDebit, flags: { postPendingTransfer: true } },
      { id: newId(), pendingId: toClosedCredit, flags: { postPendingTransfer: true } },
      { id: newId(), debitAccountId: wallet, creditAccountId: other, amount: 1n, ledger: 'USDC', code: 'x' },
    ]);
    expect(posts.map((r) => r.result)).toEqual([
      'debit_account_already_closed',
      'credit_account_already_closed',
      'debit_account_already_closed',
    ]);
    const voids = await apply([
      { id: newId(), pendingId: toClosedDebit, flags: { voidPendingTransfer: true } },
      { id: newId(), pendingId: toClosedCredit, flags: { voidPendingTransfer: true } },
    ]);
    expect(voids.map((r) => r.result)).toEqual(['ok', 'ok']);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 10n]);
    expect(await balances(merchant)).toEqual([0n, 0n, 0n, 0n]);
  });
});

describe('balances at 2^256', () => {
  it('takes an account exactly to 2^256 - 1 on each side, and refuses one more by the column it would overflow', async () => {
    const a = await account();
    const b = await account();
    const c = await account();
    const [full] = await apply([
      {
        id: newId(),
        debitAccountId: a,
        creditAccountId: b,
        amount: UINT256_MAX,
        ledger: 'USDC',
        code: 'max',
      },
    ]);
    expect(full?.result).toBe('ok');
    const one = { amount: 1n, ledger: 'USDC', code: 'one' };
    const refused = await apply([
      { id: newId(), debitAccountId: a, creditAccountId: c, ...one },
      { id: newId(), debitAccountId: c, creditAccountId: b, ...one },
      // As pendings, the totals overflow: pending and posted together.
      { id: newId(), debitAccountId: a, creditAccountId: c, ...one, flags: { pending: true } },
      { id: newId(), debitAccountId: c, creditAccountId: b, ...one, flags: { pending: true } },
    ]);
    expect(refused.map((r) => r.result)).toEqual([
      'overflows_debits_posted',
      'overflows_credits_posted',
      'overflows_debits',
      'overflows_credits',
    ]);
    expect(await balances(a)).toEqual([0n, UINT256_MAX, 0n, 0n]);
    expect(await balances(b)).toEqual([0n, 0n, 0n, UINT256_MAX]);
    expect(await balances(c)).toEqual([0n, 0n, 0n, 0n]);
  });

  it('holds exactly 2^256 - 1, refuses one more pending by its pending column, and posts and releases it', async () => {
    const a = await account();
    const b = await account();
    const c = await account();
    const hold = newId();
    const [held] = await apply([
      {
        id: hold,
        debitAccountId: a,
        creditAccountId: b,
        amount: UINT256_MAX,
        ledger: 'USDC',
        code: 'max',
        flags: { pending: true },
      },
    ]);
    expect(held?.result).toBe('ok');
    const one = { amount: 1n, ledger: 'USDC', code: 'one' };
    const refused = await apply([
      { id: newId(), debitAccountId: a, creditAccountId: c, ...one, flags: { pending: true } },
      { id: newId(), debitAccountId: c, creditAccountId: b, ...one, flags: { pending: true } },
      { id: newId(), debitAccountId: a, creditAccountId: c, ...one },
      { id: newId(), debitAccountId: c, creditAccountId: b, ...one },
    ]);
    expect(refused.map((r) => r.result)).toEqual([
      'overflows_debits_pending',
      'overflows_credits_pending',
      'overflows_debits',
      'overflows_credits',
    ]);
    const [posted] = await apply([
      { id: newId(), pendingId: hold, amount: UINT256_MAX - 1n, flags: { postPendingTransfer: true } },
    ]);
    expect(posted?.result).toBe('ok');
    expect(await balances(a)).toEqual([0n, UINT256_MAX - 1n, 0n, 0n]);
    expect(await balances(b)).toEqual([0n, 0n, 0n, UINT256_MAX - 1n]);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('credits a credits-limited account exactly up to its debits', async () => {
    const limited = await account({ limit: 'credits' });
    const other = await account();
    await apply([
      { id: newId(), debitAccountId: limited, creditAccountId: other, amount: 5n, ledger: 'USDC', code: 'd' },
    ]);
    const results = await apply([
      {
        id: newId(),
        debitAccountId: other,
        creditAccountId: limited,
        amount: 3n,
        ledger: 'USDC',
        code: 'c',
        flags: { pending: true },
      },
      { id: newId(), debitAccountId: other, creditAccountId: limited, amount: 2n, ledger: 'USDC', code: 'c' },
      { id: newId(), debitAccountId: other, creditAccountId: limited, amount: 1n, ledger: 'USDC', code: 'c' },
    ]);
    expect(results.map((r) => r.result)).toEqual(['ok', 'ok', 'exceeds_debits']);
    expect(await balances(limited)).toEqual([0n, 5n, 3n, 2n]);
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
