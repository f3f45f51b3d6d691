import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/actor';
import { TestClock } from '../src/core/clock';
import type { Db } from '../src/core/database';
import {
  databaseStep,
  defineFlow,
  externalStep,
  FlowRefusal,
  type FlowRun,
  FlowRunner,
  ProcessDied,
  startFlow,
} from '../src/core/flows';
import { newId } from '../src/core/ids';
import { silentLogger } from '../src/core/log';
import { applyTransfers } from '../src/ledger/engine';
import { createAccounts, createLedger, getAccount } from '../src/ledger/service';
import { freshDatabase } from './support/database';

/**
 * A flow shaped like the gateway's paid call: hold the price on the caller's balance, call a
 * provider (a real HTTP server here), then capture the hold, or release it if the provider refused.
 */

interface CallInput {
  [key: string]: string;
  wallet: string;
  provider: string;
  price: string;
  tool: string;
}

/** The provider: answers a call once per Idempotency-Key, and counts what it did. */
const provider = { calls: 0, performed: new Set<string>(), refuse: new Set<string>() };
let providerUrl = '';
const server = http.createServer((request, response) => {
  const key = request.headers['idempotency-key'] as string;
  const tool = new URL(request.url ?? '/', 'http://x').searchParams.get('tool') ?? '';
  provider.calls++;
  if (provider.refuse.has(tool)) {
    response.writeHead(400).end(JSON.stringify({ error: 'unknown tool' }));
    return;
  }
  provider.performed.add(key);
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ result: `did ${tool}` }));
});

const paidCall = defineFlow<CallInput>({
  name: 'test.paid_call',
  maxAttempts: 3,
  steps: [
    databaseStep(
      'hold',
      async (tx, { input }) => {
        const id = newId();
        const [result] = await applyTransfers(
          tx,
          [
            {
              id,
              debitAccountId: input.wallet,
              creditAccountId: input.provider,
              amount: BigInt(input.price),
              ledger: 'FLOWUSD',
              code: 'call',
              flags: { pending: true },
              timeoutSeconds: 3600,
            },
          ],
          { clock },
        );
        if (result?.result !== 'ok') throw new FlowRefusal(`the hold was refused: ${result?.result}`);
        return { holdId: id };
      },
      async (tx, { outputs }) => {
        const { holdId } = outputs.hold as { holdId: string };
        await applyTransfers(tx, [{ id: newId(), pendingId: holdId, flags: { voidPendingTransfer: true } }], {
          clock,
        });
      },
    ),
    externalStep('call_provider', async ({ input, key }) => {
      const response = await fetch(`${providerUrl}/?tool=${input.tool}`, {
        method: 'POST',
        headers: { 'idempotency-key': key },
      });
      if (response.status >= 400 && response.status < 500)
        throw new FlowRefusal(`the provider refused: ${response.status}`);
      if (!response.ok) throw new Error(`the provider failed: ${response.status}`);
      return (await response.json()) as { result: string };
    }),
    databaseStep('capture', async (tx, { outputs }) => {
      const { holdId } = outputs.hold as { holdId: string };
      const [result] = await applyTransfers(
        tx,
        [{ id: newId(), pendingId: holdId, flags: { postPendingTransfer: true } }],
        { clock },
      );
      if (result?.result !== 'ok') throw new Error(`the capture failed: ${result?.result}`);
      return null;
    }),
  ],
});

const clock = new TestClock('2026-06-01T09:00:00Z');
let db: Db;
let treasury: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  providerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const database = await freshDatabase();
  db = database.db;
  const deps = { db, clock, actor: systemActor };
  await createLedger(deps, { code: 'FLOWUSD', scale: 6 });
  treasury = newId();
  await createAccounts(deps, [{ id: treasury, ledger: 'FLOWUSD', code: 'treasury', owner: null }]);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A caller with 100 units, and a provider account, both new. */
async function accounts(): Promise<{ wallet: string; payee: string }> {
  const wallet = newId();
  const payee = newId();
  const deps = { db, clock, actor: systemActor };
  await createAccounts(deps, [
    {
      id: wallet,
      ledger: 'FLOWUSD',
      code: 'wallet',
      owner: null,
      flags: { debitsMustNotExceedCredits: true },
    },
    { id: payee, ledger: 'FLOWUSD', code: 'provider', owner: null },
  ]);
  await db.transaction((tx) =>
    applyTransfers(
      tx,
      [
        {
          id: newId(),
          debitAccountId: treasury,
          creditAccountId: wallet,
          amount: 100n,
          ledger: 'FLOWUSD',
          code: 'fund',
        },
      ],
      { clock },
    ),
  );
  return { wallet, payee };
}

const runner = (afterProgress?: (run: FlowRun) => void) =>
  new FlowRunner({ db, clock, log: silentLogger }, [paidCall], {
    leaseMs: 30_000,
    retryMs: 1000,
    afterProgress,
  });

async function start(input: CallInput, key = newId()): Promise<string> {
  return (await db.transaction((tx) => startFlow(tx, clock, paidCall, input, key))).id;
}

const balances = async (id: string) => {
  const account = await getAccount({ db }, id);
  return {
    posted: account.creditsPosted - account.debitsPosted,
    pending: account.debitsPending + account.creditsPending,
  };
};

describe('a flow', () => {
  it('runs its steps in order and records each one’s output', async () => {
    const { wallet, payee } = await accounts();
    const id = await start({ wallet, provider: payee, price: '7', tool: 'search' });
    const run = await runner().run(id);
    expect(run).toMatchObject({
      state: 'done',
      step: 3,
      outputs: { call_provider: { result: 'did search' } },
    });
    expect(await balances(wallet)).toEqual({ posted: 93n, pending: 0n });
    expect(await balances(payee)).toEqual({ posted: 7n, pending: 0n });
  });

  it('starts once per key: a second start finds the first run, and other input is a conflict', async () => {
    const { wallet, payee } = await accounts();
    const input = { wallet, provider: payee, price: '1', tool: 'search' };
    const first = await start(input, 'call-1');
    expect(await start(input, 'call-1')).toBe(first);
    await expect(start({ ...input, price: '2' }, 'call-1')).rejects.toMatchObject({
      code: 'idempotency_conflict',
    });
  });

  it('undoes what it did when a step refuses: the hold is released and nothing is paid', async () => {
    const { wallet, payee } = await accounts();
    provider.refuse.add('forbidden_tool');
    const id = await start({ wallet, provider: payee, price: '9', tool: 'forbidden_tool' });
    const run = await runner().run(id);
    expect(run).toMatchObject({ state: 'compensated', step: 0, lastError: 'the provider refused: 400' });
    expect(await balances(wallet)).toEqual({ posted: 100n, pending: 0n });
    expect(await balances(payee)).toEqual({ posted: 0n, pending: 0n });
  });

  it('retries a failing step with backoff, then compensates after its last attempt', async () => {
    const { wallet, payee } = await accounts();
    const id = await start({ wallet, provider: newId(), price: '1', tool: 'search' });
    // The hold's ledger refusal is a FlowRefusal: nothing to undo, compensated at once.
    expect(await runner().run(id)).toMatchObject({ state: 'compensated', step: 0 });

    const down = await start({ wallet, provider: payee, price: '3', tool: 'search' });
    const saved = providerUrl;
    providerUrl = 'http://127.0.0.1:9'; // nothing listens: a transient failure
    try {
      expect(await runner().run(down)).toMatchObject({ state: 'running', step: 1, attempts: 1 });
      expect(await balances(wallet)).toEqual({ posted: 100n, pending: 3n });
      expect(await runner().run(down)).toMatchObject({ attempts: 1 }); // not due before its backoff
      clock.advance(1000);
      expect(await runner().run(down)).toMatchObject({ state: 'running', attempts: 2 });
      clock.advance(2000);
      expect(await runner().run(down)).toMatchObject({ state: 'compensated', step: 0 });
    } finally {
      providerUrl = saved;
    }
    expect(await balances(wallet)).toEqual({ posted: 100n, pending: 0n });
  });

  it('resumes after the process dies after any move, ending as an undisturbed run does, once', async () => {
    // The moves of an undisturbed run: hold, call, capture, done.
    for (let dieAfter = 1; dieAfter <= 4; dieAfter++) {
      const callsBefore = provider.calls;
      const { wallet, payee } = await accounts();
      const id = await start({ wallet, provider: payee, price: '5', tool: 'search' });
      let moves = 0;
      const dying = runner(() => {
        if (++moves === dieAfter) throw new ProcessDied();
      });
      await expect(dying.run(id)).rejects.toBeInstanceOf(ProcessDied);
      // Another process finds the flow once the dead one's lease has run out, not before.
      if (dieAfter < 4) expect(await runner().run(id)).toMatchObject({ state: 'running', step: dieAfter });
      clock.advance(30_000);
      const run = await runner().run(id);
      expect(run, `died after move ${dieAfter}`).toMatchObject({ state: 'done', step: 3 });
      expect(await balances(wallet)).toEqual({ posted: 95n, pending: 0n });
      expect(await balances(payee)).toEqual({ posted: 5n, pending: 0n });
      expect(provider.performed.has(`flow:${id}:call_provider`)).toBe(true);
      expect(provider.calls - callsBefore, `died after move ${dieAfter}`).toBe(1);
    }
  });

  it('resumes a compensation after the process dies in it, undoing each step once', async () => {
    const { wallet, payee } = await accounts();
    provider.refuse.add('flaky_refusal');
    const id = await start({ wallet, provider: payee, price: '4', tool: 'flaky_refusal' });
    let moves = 0;
    // Move 1: the hold; move 2: compensating begins; move 3: the hold is released.
    const dying = runner(() => {
      if (++moves === 3) throw new ProcessDied();
    });
    await expect(dying.run(id)).rejects.toBeInstanceOf(ProcessDied);
    clock.advance(30_000);
    expect(await runner().run(id)).toMatchObject({ state: 'compensated', step: 0 });
    expect(await balances(wallet)).toEqual({ posted: 100n, pending: 0n });
  });
});
