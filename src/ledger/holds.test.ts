import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/database';
import { systemActor } from '../core/actor';
import { auditInsert } from '../core/audit/service';
import { TestClock } from '../core/clock';
import { type Db, queryRows } from '../core/database';
import type { AppError } from '../core/errors';
import { newId } from '../core/ids';
import { UINT256_MAX } from '../core/money';
import { applyBalanceOps, applyTransfers, expireDuePendingTransfers } from './engine';
import { ledgerRefusal } from './errors';
import {
  assertWellFormedOp,
  type BalanceOp,
  type BalanceOpResult,
  type Hold,
  holdFromJson,
  holdJson,
  idFromKey,
  partId,
  readHold,
  readSinkBalance,
  shardedSink,
} from './holds';
import { findLedgerViolations } from './invariants';
import { createAccounts, createLedger, getAccount } from './service';

let db: Db;
const clock = new TestClock('2026-05-01T00:00:00Z');
const LEDGER = 'PREPAID';
const NAMESPACE = '0f7f6d2a-4c55-4d8e-9a51-2b1f0c3e9d11';
let issuer: string;

beforeAll(async () => {
  db = (await freshDatabase()).db;
  await createLedger({ db, clock }, { code: LEDGER, scale: 0 });
  issuer = await account(false);
});

async function account(limited = true): Promise<string> {
  const id = newId();
  const [outcome] = await createAccounts({ db, clock }, [
    { id, ledger: LEDGER, code: 'test', flags: { debitsMustNotExceedCredits: limited } },
  ]);
  expect(outcome?.result).toBe('ok');
  return id;
}

/** A balance of accounts funded with these amounts, in this order, and a sink. */
async function balance(...amounts: bigint[]): Promise<{ from: string[]; sink: string }> {
  const from: string[] = [];
  for (const amount of amounts) {
    const id = await account();
    const [funded] = await db.transaction((tx) =>
      applyTransfers(
        tx,
        [{ id: newId(), debitAccountId: issuer, creditAccountId: id, amount, ledger: LEDGER, code: 'fund' }],
        { clock },
      ),
    );
    expect(funded?.result).toBe('ok');
    from.push(id);
  }
  return { from, sink: await account(false) };
}

const run = async (op: BalanceOp): Promise<BalanceOpResult> => {
  const [result] = await db.transaction((tx) => applyBalanceOps(tx, [op], { clock }));
  return result!;
};

const left = async (id: string) => {
  const a = await getAccount({ db }, id);
  return a.creditsPosted - a.debitsPosted - a.debitsPending;
};

const hold = (
  b: { from: string[]; sink: string },
  amount: bigint,
  extra: Partial<BalanceOp> = {},
): BalanceOp =>
  ({
    op: 'hold',
    id: newId(),
    ledger: LEDGER,
    code: 'hold',
    from: b.from.map((accountId) => ({ accountId })),
    to: b.sink,
    amount,
    ...extra,
  }) as BalanceOp;

describe('spending from a balance', () => {
  it('draws on the accounts in the stated order, all or none', async () => {
    const b = await balance(3n, 5n, 10n);
    const spent = await run({
      op: 'spend',
      id: newId(),
      ledger: LEDGER,
      code: 'use',
      from: b.from.map((accountId) => ({ accountId })),
      to: b.sink,
      amount: 6n,
    });
    expect(spent.result).toBe('ok');
    expect(spent.parts.map((p) => [p.accountId, p.amount])).toEqual([
      [b.from[0], 3n],
      [b.from[1], 3n],
    ]);
    expect([await left(b.from[0]!), await left(b.from[1]!), await left(b.from[2]!)]).toEqual([0n, 2n, 10n]);

    const tooMuch = await run({
      op: 'spend',
      id: newId(),
      ledger: LEDGER,
      code: 'use',
      from: b.from.map((accountId) => ({ accountId })),
      to: b.sink,
      amount: 13n,
    });
    expect(tooMuch).toMatchObject({ result: 'exceeds_credits', available: 12n, parts: [] });
    expect([await left(b.from[1]!), await left(b.from[2]!)]).toEqual([2n, 10n]);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('skips an account past its `until`', async () => {
    const b = await balance(5n, 5n);
    const spent = await run({
      op: 'spend',
      id: newId(),
      ledger: LEDGER,
      code: 'use',
      from: [{ accountId: b.from[0]!, until: clock.now() }, { accountId: b.from[1]! }],
      to: b.sink,
      amount: 4n,
    });
    expect(spent.parts.map((p) => p.accountId)).toEqual([b.from[1]]);
  });

  it('a replay with the same id answers what the first did, even after the balance changed', async () => {
    const b = await balance(3n, 5n);
    const op: BalanceOp = {
      op: 'spend',
      id: idFromKey(NAMESPACE, 'person-1', 'key-1'),
      ledger: LEDGER,
      code: 'use',
      from: b.from.map((accountId) => ({ accountId })),
      to: b.sink,
      amount: 4n,
    };
    const first = await run(op);
    const again = await run(op);
    expect(again.result).toBe('exists');
    expect(again.parts).toEqual(first.parts);
    expect(await left(b.from[1]!)).toBe(4n);
    expect((await run({ ...op, amount: 5n })).result).toBe('exists_with_different_amount');
    expect(await left(b.from[1]!)).toBe(4n);
  });

  it('an id that failed for want of funds never succeeds later', async () => {
    const b = await balance(2n);
    const op: BalanceOp = {
      op: 'spend',
      id: newId(),
      ledger: LEDGER,
      code: 'use',
      from: [{ accountId: b.from[0]! }],
      to: b.sink,
      amount: 3n,
    };
    expect((await run(op)).result).toBe('exceeds_credits');
    await db.transaction((tx) =>
      applyTransfers(
        tx,
        [
          {
            id: newId(),
            debitAccountId: issuer,
            creditAccountId: b.from[0]!,
            amount: 10n,
            ledger: LEDGER,
            code: 'fund',
          },
        ],
        { clock },
      ),
    );
    const retried = await run(op);
    expect(retried.result).toBe('id_already_failed');
    expect(ledgerRefusal([{ id: op.id, result: retried.result }]).code).toBe('id_already_failed');
    expect(await left(b.from[0]!)).toBe(12n);
  });
});

describe('holds', () => {
  it('holds across accounts, captures part in order and releases the rest', async () => {
    const b = await balance(4n, 10n);
    const placed = await run(hold(b, 9n));
    expect(placed.result).toBe('ok');
    expect(placed.hold?.parts.map((p) => p.amount)).toEqual([4n, 5n]);
    expect([await left(b.from[0]!), await left(b.from[1]!)]).toEqual([0n, 5n]);

    const captured = await run({ op: 'capture', id: newId(), holdId: placed.id, amount: 6n });
    expect(captured.result).toBe('ok');
    expect(captured.parts.map((p) => p.amount)).toEqual([4n, 2n]);
    expect(captured.hold).toMatchObject({ state: 'captured', captured: 6n });
    expect([await left(b.from[0]!), await left(b.from[1]!)]).toEqual([0n, 8n]);
    expect((await getAccount({ db }, b.sink)).creditsPosted).toBe(6n);
    expect((await readHold(db, placed.id, clock.now()))?.state).toBe('captured');
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('refuses to capture more than held, with the hold as it stands, and changes nothing', async () => {
    const b = await balance(10n);
    const placed = await run(hold(b, 5n));
    const over = await run({ op: 'capture', id: newId(), holdId: placed.id, amount: 6n });
    expect(over).toMatchObject({
      result: 'exceeds_pending_transfer_amount',
      parts: [],
      hold: { state: 'held' },
    });
    expect(ledgerRefusal([{ id: over.id, result: over.result }]).code).toBe('exceeds_hold');
    // The refusal carries the hold as it stands: one captured already says so.
    expect((await run({ op: 'capture', id: newId(), holdId: placed.id, amount: 5n })).result).toBe('ok');
    const afterAll = await run({ op: 'capture', id: newId(), holdId: placed.id, amount: 6n });
    expect(afterAll).toMatchObject({
      result: 'exceeds_pending_transfer_amount',
      hold: { state: 'captured' },
    });
    const none = await run({ op: 'capture', id: newId(), holdId: placed.id, amount: 0n });
    expect(none).toMatchObject({ result: 'amount_must_not_be_zero', hold: { state: 'captured' } });
    expect((await readHold(db, placed.id, clock.now()))?.state).toBe('captured');
    expect(await left(b.from[0]!)).toBe(5n);
  });

  it('keeps the rest held as a new hold when asked', async () => {
    const b = await balance(3n, 10n);
    const placed = await run(hold(b, 8n, { timeoutSeconds: 60 } as Partial<BalanceOp>));
    clock.advance(10_000);
    const restId = newId();
    const captured = await run({
      op: 'capture',
      id: newId(),
      holdId: placed.id,
      amount: 4n,
      keepRest: { id: restId },
    });
    expect(captured.result).toBe('ok');
    expect(captured.rest).toMatchObject({ id: restId, amount: 4n, state: 'held', timeoutSeconds: 50 });
    expect(captured.rest?.parts.map((p) => [p.accountId, p.amount])).toEqual([[b.from[1], 4n]]);
    expect(captured.rest?.expiresAt?.getTime()).toBe(placed.hold!.expiresAt!.getTime());
    expect(await left(b.from[1]!)).toBe(5n);
    const released = await run({ op: 'release', id: newId(), holdId: restId });
    expect(released.hold?.state).toBe('released');
    expect(await left(b.from[1]!)).toBe(9n);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('reads as expired the moment it passes its expiry, before any sweep, and cannot be used after', async () => {
    const b = await balance(10n);
    const placed = await run(hold(b, 7n, { timeoutSeconds: 30 } as Partial<BalanceOp>));
    clock.advance(29_999);
    expect((await readHold(db, placed.id, clock.now()))?.state).toBe('held');
    clock.advance(1);
    expect((await readHold(db, placed.id, clock.now()))?.state).toBe('expired');
    // What it held is free for the next draw at once, sweep or not.
    const next = await run(hold(b, 10n));
    expect(next.result).toBe('ok');
    const late = await run({ op: 'capture', id: newId(), holdId: placed.id });
    expect(late.result).toBe('pending_transfer_expired');
    expect(ledgerRefusal([{ id: late.id, result: late.result }]).code).toBe('hold_expired');
    await db.transaction((tx) => expireDuePendingTransfers(tx, { clock }));
    const stored = await readHold(db, placed.id, clock.now());
    expect(stored).toMatchObject({ state: 'expired', captured: 0n });
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('a spend draws at once on what an expired hold held, before any sweep', async () => {
    const b = await balance(10n);
    const placed = await run(hold(b, 8n, { timeoutSeconds: 5 } as Partial<BalanceOp>));
    expect(placed.result).toBe('ok');
    clock.advance(5_000);
    const spent = await run({
      op: 'spend',
      id: newId(),
      ledger: LEDGER,
      code: 'use',
      from: b.from.map((accountId) => ({ accountId })),
      to: b.sink,
      amount: 10n,
    });
    expect(spent.result).toBe('ok');
    expect(await left(b.from[0]!)).toBe(0n);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('writes a line’s own rows from the results in the ledger’s write, and none when it refuses', async () => {
    const b = await balance(4n);
    const ops = [hold(b, 3n), hold(b, 3n)];
    const results = await db.transaction((tx) =>
      applyBalanceOps(tx, ops, {
        clock,
        alsoWrite: (done) => [
          auditInsert(
            clock,
            done
              .filter((r) => r.result === 'ok')
              .map((r) => ({
                actor: systemActor,
                entry: {
                  action: 'test.hold',
                  objectType: 'hold',
                  objectId: r.id,
                  details: { held: String(r.parts.reduce((sum, p) => sum + p.amount, 0n)) },
                },
              })),
          )!,
        ],
      }),
    );
    expect(results.map((r) => r.result)).toEqual(['ok', 'exceeds_credits']);
    const rows = await queryRows<{ object_id: string; details: unknown }>(
      db,
      sql`SELECT object_id, details FROM core_audit_log WHERE action = 'test.hold' ORDER BY at, id`,
    );
    expect(rows).toEqual([{ object_id: ops[0]!.id, details: { held: '3' } }]);
  });

  it('the sweep marks an expired hold once its parts expired', async () => {
    const b = await balance(5n, 5n);
    const placed = await run(hold(b, 8n, { timeoutSeconds: 5 } as Partial<BalanceOp>));
    clock.advance(5_000);
    await db.transaction((tx) => expireDuePendingTransfers(tx, { clock }));
    const rows = await db.transaction(async (tx) => (await readHold(tx, placed.id, new Date(0)))?.state);
    expect(rows).toBe('expired');
    expect([await left(b.from[0]!), await left(b.from[1]!)]).toEqual([5n, 5n]);
  });

  it('never outlives an account it draws on, and skips one that ends within a second', async () => {
    const b = await balance(5n, 5n);
    const until = new Date(clock.now().getTime() + 20_500);
    const placed = await run({
      op: 'hold',
      id: newId(),
      ledger: LEDGER,
      code: 'hold',
      from: [
        { accountId: b.from[0]!, until: new Date(clock.now().getTime() + 999) },
        { accountId: b.from[1]!, until },
      ],
      to: b.sink,
      amount: 3n,
      timeoutSeconds: 3600,
    });
    expect(placed.hold?.parts.map((p) => p.accountId)).toEqual([b.from[1]]);
    expect(placed.hold?.timeoutSeconds).toBe(20);
    // Each part keeps when its account stops paying, as stored.
    expect((await readHold(db, placed.id, clock.now()))?.parts.map((p) => p.until)).toEqual([until]);
  });

  it('a replay of a hold, a capture or a release answers the first result; other terms are refused', async () => {
    const b = await balance(10n);
    const op = hold(b, 4n);
    const placed = await run(op);
    expect((await run(op)).result).toBe('exists');
    expect((await run({ ...op, amount: 5n } as BalanceOp)).result).toBe('exists_with_different_amount');
    const capture: BalanceOp = { op: 'capture', id: newId(), holdId: placed.id, amount: 3n };
    expect((await run(capture)).result).toBe('ok');
    const replayed = await run(capture);
    expect(replayed).toMatchObject({ result: 'exists', hold: { state: 'captured', captured: 3n } });
    expect((await run({ ...capture, amount: 2n })).result).toBe('exists_with_different_amount');
    expect((await run({ op: 'release', id: newId(), holdId: placed.id })).result).toBe(
      'pending_transfer_already_posted',
    );
    expect(await left(b.from[0]!)).toBe(7n);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('a hold that does not exist is not_found, and its id is remembered', async () => {
    const op: BalanceOp = { op: 'release', id: newId(), holdId: newId() };
    expect((await run(op)).result).toBe('pending_transfer_not_found');
    expect(ledgerRefusal([{ id: op.id, result: 'pending_transfer_not_found' }]).code).toBe('not_found');
  });
});

describe('refusals, one term at a time', () => {
  const spend = (b: { from: string[]; sink: string }, amount: bigint, extra: Partial<BalanceOp> = {}) =>
    ({
      op: 'spend',
      id: newId(),
      ledger: LEDGER,
      code: 'use',
      from: b.from.map((accountId) => ({ accountId })),
      to: b.sink,
      amount,
      ...extra,
    }) as BalanceOp;

  it('refuses a spend or a hold whose terms cannot stand, with the cause, and moves nothing', async () => {
    const b = await balance(10n);
    const stranger = newId();
    for (const make of [spend, hold]) {
      const cases: [string, BalanceOp, string][] = [
        ['the sink among the sources', make(b, 1n, { to: b.from[0]! }), 'accounts_must_be_different'],
        ['a zero amount', make(b, 0n), 'amount_must_not_be_zero'],
        ['an unknown sink', make(b, 1n, { to: stranger }), 'credit_account_not_found'],
        ['an unknown source', make(b, 1n, { from: [{ accountId: stranger }] }), 'debit_account_not_found'],
        ['more than there is', make(b, 11n), 'exceeds_credits'],
      ];
      for (const [what, op, code] of cases) {
        const result = await run(op);
        expect(result, `${op.op}: ${what}`).toMatchObject({ result: code, parts: [] });
        expect(result.hold, `${op.op}: ${what}`).toBeUndefined();
      }
    }
    expect(await left(b.from[0]!)).toBe(10n);
    expect(await getAccount({ db }, b.sink)).toMatchObject({ creditsPosted: 0n, creditsPending: 0n });
  });

  it('refuses on its own terms before the ledger would: a sink named after enough was found, an unknown sink, a retried failure', async () => {
    const b = await balance(10n);
    const stranger = newId();
    // The sink is the second source, which the draw never reaches: still refused.
    const sinkAsSource = spend({ from: [b.from[0]!, b.sink], sink: b.sink }, 2n);
    expect((await run(sinkAsSource)).result).toBe('accounts_must_be_different');
    // An unknown sink is named as such, not as a shortfall.
    expect((await run(spend(b, 11n, { to: stranger }))).result).toBe('credit_account_not_found');
    // A failed id answers id_already_failed, also while the shortfall lasts.
    const short = spend(b, 11n);
    expect((await run(short)).result).toBe('exceeds_credits');
    expect((await run(short)).result).toBe('id_already_failed');
    // An unknown account after the amount was found is never looked at.
    expect((await run(spend({ from: [b.from[0]!, stranger], sink: b.sink }, 3n))).result).toBe('ok');
    expect(await left(b.from[0]!)).toBe(7n);
  });

  it('lets a spend use an account ending within the second, and only a hold takes a source’s end as its expiry', async () => {
    const b = await balance(10n);
    const soon = new Date(clock.now().getTime() + 500);
    const spent = await run(spend(b, 1n, { from: [{ accountId: b.from[0]!, until: soon }] }));
    expect(spent.result).toBe('ok');
    const later = new Date(clock.now().getTime() + 3_600_000);
    const fromLater = { from: [{ accountId: b.from[0]!, until: later }] } as Partial<BalanceOp>;
    const spentLater = await run(spend(b, 1n, fromLater));
    expect(spentLater.result).toBe('ok');
    const [stored] = await queryRows<{ kind: string; timeout_seconds: number }>(
      db,
      sql`SELECT kind, timeout_seconds FROM ledger_transfers WHERE id = ${spentLater.id}`,
    );
    expect(stored).toEqual({ kind: 'posted', timeout_seconds: 0 });
    // A hold asking for less than the source's end keeps what it asked for.
    const short = await run(hold(b, 1n, { ...fromLater, timeoutSeconds: 10 } as Partial<BalanceOp>));
    expect(short.hold?.timeoutSeconds).toBe(10);
    expect(await left(b.from[0]!)).toBe(7n);
  });

  it('answers a spend or a hold replayed with other terms with the term that differs, and moves nothing', async () => {
    for (const [make, otherKind] of [
      [spend, 'hold'],
      [hold, 'spend'],
    ] as const) {
      const b = await balance(10n);
      const otherSink = await account(false);
      const first = make(b, 4n);
      expect((await run(first)).result).toBe('ok');
      const cases: [Partial<BalanceOp>, string][] = [
        [{ to: otherSink }, 'exists_with_different_credit_account_id'],
        [{ code: 'other' }, 'exists_with_different_code'],
        [{ ledger: 'OTHER' }, 'exists_with_different_ledger'],
        [{ amount: 3n }, 'exists_with_different_amount'],
        [{ op: otherKind } as Partial<BalanceOp>, 'exists_with_different_flags'],
      ];
      for (const [terms, code] of cases) {
        const what = `${first.op}: ${Object.keys(terms).join()}`;
        expect((await run({ ...first, ...terms } as BalanceOp)).result, what).toBe(code);
      }
      expect(await left(b.from[0]!)).toBe(6n);
      if (first.op === 'hold') expect((await readHold(db, first.id, clock.now()))?.state).toBe('held');
    }
  });

  it('refuses to capture nothing, to capture a released hold or to release a captured one', async () => {
    const b = await balance(10n);
    const released = await run(hold(b, 2n));
    expect((await run({ op: 'capture', id: newId(), holdId: released.id, amount: 0n })).result).toBe(
      'amount_must_not_be_zero',
    );
    expect((await run({ op: 'release', id: newId(), holdId: released.id })).result).toBe('ok');
    const late = await run({ op: 'capture', id: newId(), holdId: released.id });
    expect(late).toMatchObject({ result: 'pending_transfer_already_voided', hold: { state: 'released' } });
    const captured = await run(hold(b, 3n));
    expect((await run({ op: 'capture', id: newId(), holdId: captured.id })).result).toBe('ok');
    const undo = await run({ op: 'release', id: newId(), holdId: captured.id });
    expect(undo).toMatchObject({ result: 'pending_transfer_already_posted', hold: { state: 'captured' } });
    expect(await left(b.from[0]!)).toBe(7n);
    expect(await findLedgerViolations(db)).toEqual([]);
  });
});

describe('what a batch writes', () => {
  const runAll = (ops: BalanceOp[]) => db.transaction((tx) => applyBalanceOps(tx, ops, { clock }));
  const failedIds = async (ids: string[]) =>
    (
      await queryRows<{ id: string; result: string }>(
        db,
        sql`SELECT id, result FROM ledger_failed_transfers WHERE id = ANY(${sql.param(ids)}::uuid[])`,
      )
    ).map((row) => [row.id, row.result]);
  const storedHold = async (id: string) =>
    (
      await queryRows<{ state: string; captured: string; finished_at: string | null }>(
        db,
        sql`SELECT state, captured::text, finished_at::text FROM ledger_holds WHERE id = ${id}`,
      )
    )[0];

  it('remembers the id of a refused operation only, with its cause', async () => {
    const b = await balance(5n);
    const spent = hold(b, 2n, { op: 'spend' } as Partial<BalanceOp>);
    const held = hold(b, 2n);
    const refused = hold(b, 9n);
    const results = await runAll([spent, held, refused]);
    expect(results.map((r) => r.result)).toEqual(['ok', 'ok', 'exceeds_credits']);
    expect(await failedIds([spent.id, held.id, refused.id])).toEqual([[refused.id, 'exceeds_credits']]);
  });

  it('a hold placed and captured in one batch is stored captured, finished at that moment', async () => {
    const b = await balance(5n);
    const placed = hold(b, 4n);
    const [first, second] = await runAll([
      placed,
      { op: 'capture', id: newId(), holdId: placed.id, amount: 3n },
    ]);
    expect([first?.result, second?.result]).toEqual(['ok', 'ok']);
    expect(await storedHold(placed.id)).toEqual({
      state: 'captured',
      captured: '3',
      finished_at: (
        await queryRows<{ t: string }>(db, sql`SELECT ${clock.now()}::timestamptz::text AS t`)
      )[0]!.t,
    });
    expect(await left(b.from[0]!)).toBe(2n);
  });

  it('stores when a hold ended and what it captured, and a replayed release answers as the first', async () => {
    const b = await balance(5n);
    const captured = await run(hold(b, 4n));
    clock.advance(1000);
    const at = clock.now();
    await run({ op: 'capture', id: newId(), holdId: captured.id, amount: 1n });
    const stored = await readHold(db, captured.id, clock.now());
    expect(stored).toMatchObject({ state: 'captured', captured: 1n, finishedAt: at });

    const released = await run(hold(b, 1n));
    const release: BalanceOp = { op: 'release', id: newId(), holdId: released.id };
    expect((await run(release)).result).toBe('ok');
    clock.advance(1000);
    const again = await run(release);
    expect(again).toMatchObject({ result: 'exists', parts: [], hold: { state: 'released', finishedAt: at } });
    expect(await left(b.from[0]!)).toBe(4n);
  });

  it('answers a spend drawn on twenty accounts, replayed, with all twenty parts', async () => {
    const b = await balance(...Array.from({ length: 20 }, () => 1n));
    const op = hold(b, 20n, { op: 'spend' } as Partial<BalanceOp>);
    const first = await run(op);
    expect(first.parts).toHaveLength(20);
    const again = await run(op);
    expect(again.result).toBe('exists');
    expect(again.parts).toEqual(first.parts);
    expect((await run({ ...op, amount: 19n } as BalanceOp)).result).toBe('exists_with_different_amount');
  });
});

describe('capturing part and keeping the rest', () => {
  it('a replay answers the rest as it was kept, and keeps nothing more', async () => {
    const b = await balance(3n, 10n);
    const placed = await run(hold(b, 8n, { timeoutSeconds: 60 } as Partial<BalanceOp>));
    const capture: BalanceOp = {
      op: 'capture',
      id: newId(),
      holdId: placed.id,
      amount: 5n,
      keepRest: { id: newId() },
    };
    const first = await run(capture);
    clock.advance(5000);
    const again = await run(capture);
    expect(again).toMatchObject({ result: 'exists', hold: { state: 'captured', captured: 5n } });
    expect(again.rest).toMatchObject({ id: first.rest!.id, amount: 3n, state: 'held', timeoutSeconds: 60 });
    expect(again.parts).toEqual(first.parts);
    expect(await left(b.from[1]!)).toBe(5n);
  });

  it('keeps the rest of a hold that never expires, without an expiry, and each account’s end with its part', async () => {
    const b = await balance(3n, 10n);
    const until = new Date(clock.now().getTime() + 3_600_000);
    const placed = await run({
      ...hold(b, 8n),
      from: [{ accountId: b.from[0]! }, { accountId: b.from[1]!, until }],
    } as BalanceOp);
    expect(placed.hold?.expiresAt?.getTime()).toBe(until.getTime());
    const open = await run(hold(b, 2n));
    expect(open.hold?.expiresAt).toBeNull();
    const kept = await run({
      op: 'capture',
      id: newId(),
      holdId: placed.id,
      amount: 4n,
      keepRest: { id: newId() },
    });
    expect(kept.rest?.parts).toEqual([
      { accountId: b.from[1], transferId: kept.rest!.id, amount: 4n, until },
    ]);
    const keptOpen = await run({
      op: 'capture',
      id: newId(),
      holdId: open.id,
      amount: 1n,
      keepRest: { id: newId() },
    });
    expect(keptOpen.rest).toMatchObject({ amount: 1n, state: 'held', timeoutSeconds: 0, expiresAt: null });
  });

  it('keeps nothing when all is captured, or when less than a second is left', async () => {
    const b = await balance(10n);
    const whole = await run(hold(b, 4n, { timeoutSeconds: 60 } as Partial<BalanceOp>));
    const all = await run({
      op: 'capture',
      id: newId(),
      holdId: whole.id,
      amount: 4n,
      keepRest: { id: newId() },
    });
    expect(all.result).toBe('ok');
    expect(all.rest).toBeUndefined();
    const nearlyOver = await run(hold(b, 4n, { timeoutSeconds: 2 } as Partial<BalanceOp>));
    clock.advance(1001);
    const late = await run({
      op: 'capture',
      id: newId(),
      holdId: nearlyOver.id,
      amount: 1n,
      keepRest: { id: newId() },
    });
    expect(late.result).toBe('ok');
    expect(late.rest).toBeUndefined();
    // The rest was released: only what was captured left the balance.
    expect(await left(b.from[0]!)).toBe(5n);
  });
});

describe('a hold passed in that its transfers do not bear out', () => {
  it('moves nothing: a part of another amount, account or sink is an internal error, a missing part is not found', async () => {
    const b = await balance(10n);
    const placed = await run(hold(b, 4n));
    const real = placed.hold!;
    const part = real.parts[0]!;
    const forged: Hold[] = [
      { ...real, parts: [{ ...part, amount: 5n }] },
      { ...real, parts: [{ ...part, accountId: b.sink }] },
      { ...real, sinkAccountId: b.from[0]! },
    ];
    for (const hold of forged) {
      await expect(run({ op: 'capture', id: newId(), holdId: real.id, hold })).rejects.toMatchObject({
        code: 'internal',
        message: 'a hold does not match its pending transfers',
      });
    }
    const missing = { ...real, parts: [{ ...part, transferId: newId() }] };
    expect((await run({ op: 'release', id: newId(), holdId: real.id, hold: missing })).result).toBe(
      'pending_transfer_not_found',
    );
    expect(await left(b.from[0]!)).toBe(6n);
    expect((await readHold(db, real.id, clock.now()))?.state).toBe('held');
  });
});

describe('a hold found expired by a capture', () => {
  it('is stored expired, finished at its expiry, before any sweep', async () => {
    const b = await balance(10n);
    const placed = await run(hold(b, 3n, { timeoutSeconds: 10 } as Partial<BalanceOp>));
    clock.advance(15_000);
    const late = await run({ op: 'release', id: newId(), holdId: placed.id });
    expect(late).toMatchObject({ result: 'pending_transfer_expired', hold: { state: 'expired' } });
    const [row] = await queryRows<{ state: string; finished_at: string }>(
      db,
      sql`SELECT state, finished_at::text FROM ledger_holds WHERE id = ${placed.id}`,
    );
    expect(row?.state).toBe('expired');
    expect(new Date(row!.finished_at).getTime()).toBe(placed.hold!.expiresAt!.getTime());
    // A second look answers the same without writing again.
    expect((await run({ op: 'capture', id: newId(), holdId: placed.id })).result).toBe(
      'pending_transfer_expired',
    );
    expect(await left(b.from[0]!)).toBe(10n);
  });
});

describe('a hold read with a line’s own rows', () => {
  it('comes back from its JSON as stored, metadata included, and a capture may use it instead of reading', async () => {
    const b = await balance(10n);
    const placed = await run(
      hold(b, 6n, { timeoutSeconds: 30, metadata: { job: 'render-7' } } as Partial<BalanceOp>),
    );
    const [row] = await queryRows<{ hold: unknown }>(
      db,
      sql`SELECT ${holdJson('x.id')} AS hold FROM (SELECT ${placed.id}::uuid AS id) x`,
    );
    const fromJson = holdFromJson(row?.hold);
    expect(fromJson).toEqual(await readHold(db, placed.id, clock.now()));
    expect(fromJson?.metadata).toEqual({ job: 'render-7' });
    expect(holdFromJson(null)).toBeNull();
    const captured = await run({
      op: 'capture',
      id: newId(),
      holdId: placed.id,
      hold: fromJson!,
      amount: 2n,
    });
    expect(captured).toMatchObject({ result: 'ok', hold: { state: 'captured', captured: 2n } });
    expect(await left(b.from[0]!)).toBe(8n);
  });
});

describe('under concurrency', () => {
  it('a capture and a release of one hold: exactly one wins', async () => {
    const b = await balance(10n);
    const placed = await run(hold(b, 6n));
    const outcomes = await Promise.all([
      run({ op: 'capture', id: newId(), holdId: placed.id, amount: 6n }),
      run({ op: 'release', id: newId(), holdId: placed.id }),
    ]);
    const winners = outcomes.filter((o) => o.result === 'ok');
    expect(winners).toHaveLength(1);
    const loser = outcomes.find((o) => o.result !== 'ok')!;
    expect(['pending_transfer_already_posted', 'pending_transfer_already_voided']).toContain(loser.result);
    expect(await left(b.from[0]!)).toBe(winners[0]!.hold?.state === 'captured' ? 4n : 10n);
    expect(await findLedgerViolations(db)).toEqual([]);
  });

  it('the same hold sent many times at once is placed once, and every copy answers it', async () => {
    const b = await balance(10n);
    const op = hold(b, 3n);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => run(op)));
    expect(outcomes.filter((o) => o.result === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o.result === 'exists')).toHaveLength(7);
    expect(new Set(outcomes.map((o) => o.hold?.id))).toEqual(new Set([op.id]));
    expect(await left(b.from[0]!)).toBe(7n);
  });

  it('concurrent captures of one hold: one wins, the others move nothing', async () => {
    const b = await balance(10n);
    const placed = await run(hold(b, 6n));
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => run({ op: 'capture', id: newId(), holdId: placed.id, amount: 2n })),
    );
    expect(outcomes.filter((o) => o.result === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o.result === 'pending_transfer_already_posted')).toHaveLength(5);
    expect((await getAccount({ db }, b.sink)).creditsPosted).toBe(2n);
    expect(await left(b.from[0]!)).toBe(8n);
  });

  it('concurrent spends never overdraw: the sum spent is at most what was there', async () => {
    const b = await balance(10n, 10n);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        run({
          op: 'spend',
          id: newId(),
          ledger: LEDGER,
          code: 'use',
          from: b.from.map((accountId) => ({ accountId })),
          to: b.sink,
          amount: 3n,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.result === 'ok')).toHaveLength(6);
    expect([await left(b.from[0]!), await left(b.from[1]!)]).toEqual([0n, 2n]);
  });
});

describe('a sharded sink', () => {
  it('sends each payer to one shard, and its shards add up to what was spent', async () => {
    const shards = [await account(false), await account(false), await account(false), await account(false)];
    const sink = shardedSink(shards);
    const b = await balance(1_000n);
    const payers = Array.from({ length: 20 }, (_, i) => `payer-${i}`);
    expect(new Set(payers.map(sink.shardFor)).size).toBeGreaterThan(1);
    expect(sink.shardFor('payer-3')).toBe(sink.shardFor('payer-3'));
    let total = 0n;
    for (const [i, payer] of payers.entries()) {
      const amount = BigInt(i + 1);
      total += amount;
      const spent = await run({
        op: 'spend',
        id: newId(),
        ledger: LEDGER,
        code: 'use',
        from: [{ accountId: b.from[0]! }],
        to: sink.shardFor(payer),
        amount,
      });
      expect(spent.result).toBe('ok');
    }
    expect((await readSinkBalance(db, sink)).creditsPosted).toBe(total);
    expect(await left(b.from[0]!)).toBe(1_000n - total);
  });

  it('picks the shard by the payer’s 32-bit FNV-1a hash, and needs at least one account', () => {
    const ids = ['s0', 's1', 's2', 's3', 's4', 's5', 's6'];
    const sink = shardedSink(ids);
    // FNV-1a's published test vectors: "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(sink.shardFor('a')).toBe(ids[0xe40c292c % 7]);
    expect(sink.shardFor('foobar')).toBe(ids[0xbf9cf968 % 7]);
    expect(() => shardedSink([])).toThrow('a sink needs at least one account');
  });
});

describe('derived ids', () => {
  it('names an operation after its key, and its transfers after it', () => {
    const a = idFromKey(NAMESPACE, 'person', 'key');
    expect(idFromKey(NAMESPACE, 'person', 'key')).toBe(a);
    expect(idFromKey(NAMESPACE, 'other', 'key')).not.toBe(a);
    expect(partId(a, 0)).toBe(a);
    expect(new Set([0, 1, 2].map((i) => partId(a, i))).size).toBe(3);
    // The parts of a key are kept apart: "ab" + "c" is not "a" + "bc".
    expect(idFromKey(NAMESPACE, 'ab', 'c')).not.toBe(idFromKey(NAMESPACE, 'a', 'bc'));
    expect(partId(idFromKey(NAMESPACE, 'b'), 1)).not.toBe(partId(a, 1));
  });
});

describe('operations the edges should have refused', () => {
  const a = newId();
  const b = newId();
  const draw = (op: 'spend' | 'hold', changes: Partial<BalanceOp> = {}) =>
    ({
      op,
      id: newId(),
      ledger: LEDGER,
      code: 'x',
      from: [{ accountId: a }],
      to: b,
      amount: 5n,
      ...changes,
    }) as BalanceOp;
  const refusalOf = (op: BalanceOp) => {
    try {
      assertWellFormedOp(op);
    } catch (error) {
      return { code: (error as AppError).code, message: (error as AppError).message };
    }
    return null;
  };

  it('passes every well-formed operation', () => {
    for (const op of [
      draw('spend'),
      draw('hold', { timeoutSeconds: 2 ** 31 - 1 } as Partial<BalanceOp>),
      draw('spend', { amount: 0n }),
      draw('spend', { amount: UINT256_MAX }),
      { op: 'capture', id: newId(), holdId: newId(), amount: 3n, keepRest: { id: newId() } },
      { op: 'capture', id: newId(), holdId: newId() },
      { op: 'release', id: newId(), holdId: newId() },
    ] as BalanceOp[]) {
      expect(
        refusalOf(op),
        JSON.stringify(op, (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
      ).toBeNull();
    }
  });

  it('names the field that is not a UUID, in every kind of operation', () => {
    const invalid = 'not-a-uuid';
    const cases: [BalanceOp, string][] = [
      [draw('spend', { id: invalid }), `id "${invalid}" is not a UUID`],
      [draw('hold', { to: invalid }), `to "${invalid}" is not a UUID`],
      [
        draw('spend', { from: [{ accountId: a }, { accountId: invalid }] }),
        `from "${invalid}" is not a UUID`,
      ],
      [{ op: 'capture', id: newId(), holdId: invalid }, `holdId "${invalid}" is not a UUID`],
      [{ op: 'release', id: invalid, holdId: newId() }, `id "${invalid}" is not a UUID`],
      [
        { op: 'capture', id: newId(), holdId: newId(), keepRest: { id: invalid } },
        `keepRest.id "${invalid}" is not a UUID`,
      ],
      [
        { op: 'release', id: newId(), holdId: undefined as unknown as string },
        'holdId "undefined" is not a UUID',
      ],
    ];
    for (const [op, message] of cases) expect(refusalOf(op)).toEqual({ code: 'validation_failed', message });
  });

  it('refuses an account named twice, an amount outside uint256 and a timeout that is not a 32-bit count', () => {
    expect(refusalOf(draw('hold', { from: [{ accountId: a }, { accountId: a }] }))).toEqual({
      code: 'validation_failed',
      message: 'a balance names each account once',
    });
    const amount = { code: 'validation_failed', message: 'amount must be between 0 and 2^256-1' };
    expect(refusalOf(draw('spend', { amount: -1n }))).toEqual(amount);
    expect(refusalOf(draw('hold', { amount: UINT256_MAX + 1n }))).toEqual(amount);
    expect(refusalOf({ op: 'capture', id: newId(), holdId: newId(), amount: -1n })).toEqual(amount);
    const timeout = {
      code: 'validation_failed',
      message: 'timeoutSeconds must be a non-negative 32-bit integer',
    };
    for (const timeoutSeconds of [-1, 1.5, 2 ** 31]) {
      expect(refusalOf(draw('hold', { timeoutSeconds } as Partial<BalanceOp>))).toEqual(timeout);
    }
    // A spend has no timeout to check.
    expect(refusalOf(draw('spend', { timeoutSeconds: -1 } as Partial<BalanceOp>))).toBeNull();
  });

  it('reads no hold for an id that has none, or that is not an id', async () => {
    expect(await readHold(db, newId(), clock.now())).toBeNull();
    expect(await readHold(db, 'not-a-uuid', clock.now())).toBeNull();
  });
});
