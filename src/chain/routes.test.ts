import { sql } from 'drizzle-orm';
import { type Account, type Address, erc20Abi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  TEST_ADMIN_KEY,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../test/support/app';
import { startTestChain } from '../../test/support/chain';
import { expectUnchanged, snapshotTables } from '../../test/support/snapshot';
import { queryRows } from '../core/database';
import * as ERC1271Wallet from './contracts/ERC1271Wallet';
import { deployContract } from './deployment';
import { FAUCET_DAILY_LIMIT } from './faucet';
import { type ChainRuntime, devAccounts, walletFor } from './runtime';

let chain: ChainRuntime;
let tally: TestTally;
let person: TestPerson;
let admin: TestPerson;

beforeAll(async () => {
  chain = await startTestChain();
  tally = await testTally({ chain });
  person = await signedInPerson(tally);
  admin = await signedInPerson(tally, { isAdmin: true });
});

const outgoingCount = async () =>
  (
    await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions`,
    )
  )[0]?.n;

/** Runs the treasury's sender until nothing is queued or pending, moving the clock to each next look. */
async function sendAll() {
  for (let pass = 0; pass < 20; pass++) {
    await tally.sender?.processDue();
    tally.clock.advance(chain.settings.pollMs);
    const [open] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions WHERE state IN ('queued', 'pending')`,
    );
    if (open?.n === 0) return;
  }
  throw new Error('transactions still open after 20 passes');
}

const balanceOf = (token: Address, owner: Address) =>
  chain.client.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  });

describe('GET /api/chain', () => {
  it('describes the chain, its tokens (with the super tokens’ underlying) and Superfluid', async () => {
    const info = await read(await request(tally, 'GET', '/api/chain'));
    expect(info).toMatchObject({ chain_id: 31337, development: true, treasury: chain.treasury.address });
    expect(
      info.tokens.map((t: { symbol: string; decimals: number; underlying: string | null }) => t),
    ).toEqual([
      expect.objectContaining({ symbol: 'USDC', decimals: 6, underlying: null }),
      expect.objectContaining({ symbol: 'DAI', decimals: 18, underlying: null }),
      expect.objectContaining({ symbol: 'USDCx', decimals: 18, underlying: 'USDC' }),
      expect.objectContaining({ symbol: 'DAIx', decimals: 18, underlying: 'DAI' }),
    ]);
    expect(info.superfluid.host).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(info.native_currency).toEqual({ name: 'ETH', symbol: 'ETH', decimals: 18 });
    expect(info.faucet).toEqual({
      tokens: [
        { symbol: 'USDC', default_amount: '1000000000', max_amount: '100000000000' },
        { symbol: 'DAI', default_amount: `1000${'0'.repeat(18)}`, max_amount: `100000${'0'.repeat(18)}` },
      ],
      daily_limit: FAUCET_DAILY_LIMIT.limit,
    });
  });

  it('answers 503 on a Tally without a chain', async () => {
    const bare = await testTally();
    const response = await request(bare, 'GET', '/api/chain');
    expect(response.status).toBe(503);
    expect((await read(response)).error.code).toBe('unavailable');
  });
});

describe('the wallets’ RPC proxy', () => {
  const rpc = (body: unknown, as: TestPerson | null = person) =>
    request(tally, 'POST', '/api/chain/rpc', { body, as: as ?? undefined });

  it('forwards reads, single and batched, for a signed-in person', async () => {
    expect(await read(await rpc({ jsonrpc: '2.0', id: 7, method: 'eth_chainId' }))).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: '0x7a69',
    });
    const batch = await read(
      await rpc([
        { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber' },
        { jsonrpc: '2.0', id: 2, method: 'eth_getBalance', params: [chain.treasury.address, 'latest'] },
      ]),
    );
    expect(batch.map((answer: { id: number }) => answer.id)).toEqual([1, 2]);
    expect(BigInt(batch[1].result)).toBe(
      await chain.client.publicClient.getBalance({ address: chain.treasury.address }),
    );
  });

  it('refuses node administration, strangers and malformed requests, and changes nothing', async () => {
    const target = privateKeyToAccount(generatePrivateKey()).address;
    const answer = await read(
      await rpc({ jsonrpc: '2.0', id: 1, method: 'anvil_setBalance', params: [target, '0xffff'] }),
    );
    expect(answer.error.code).toBe(-32601);
    expect(await chain.client.publicClient.getBalance({ address: target })).toBe(0n);
    expect((await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, null)).status).toBe(401);
    expect((await rpc({ id: 1, method: 'eth_chainId' })).status).toBe(400);
    expect(
      (await rpc(Array.from({ length: 21 }, () => ({ jsonrpc: '2.0', method: 'eth_chainId' })))).status,
    ).toBe(400);
  });

  it('forwards log queries of at most 1000 blocks, or one block by hash, and refuses wider ones', async () => {
    const head = await chain.client.publicClient.getBlockNumber();
    const logs = (fromBlock: string, toBlock?: string) =>
      rpc({
        jsonrpc: '2.0',
        id: 9,
        method: 'eth_getLogs',
        params: [
          { fromBlock, ...(toBlock ? { toBlock } : {}), address: chain.deployment.tokens.USDC.address },
        ],
      }).then(read);
    expect((await logs('0x0', '0x3e7')).result).toBeInstanceOf(Array);
    const wide = await logs('0x0', '0x3e8');
    expect(wide).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32005, message: 'limit exceeded: at most 1000 blocks per eth_getLogs through Tally' },
    });
    // From the first block to the head (a missing toBlock): within the bound on this young chain.
    expect(head).toBeLessThan(999n);
    expect((await logs('earliest')).result).toBeInstanceOf(Array);
    expect((await logs('soon')).error).toEqual({
      code: -32005,
      message: 'eth_getLogs takes fromBlock and toBlock as block numbers or tags',
    });
    const { hash } = await chain.client.publicClient.getBlock({ blockNumber: head });
    const byHash = await rpc({ jsonrpc: '2.0', id: 2, method: 'eth_getLogs', params: [{ blockHash: hash }] });
    expect((await read(byHash)).result).toBeInstanceOf(Array);
  });

  it('counts every call of a batch against the person’s budget of 600 a minute', async () => {
    const caller = await signedInPerson(tally);
    const batch = Array.from({ length: 20 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'eth_chainId' }));
    for (let i = 0; i < 30; i++) expect((await rpc(batch, caller)).status).toBe(200);
    const over = await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, caller);
    expect(over.status).toBe(429);
    expect((await read(over)).error.code).toBe('rate_limited');
    // Another person's budget is their own.
    expect((await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' })).status).toBe(200);
    tally.clock.advance(60_001);
    expect((await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, caller)).status).toBe(200);
  });

  it('hands the wallet the node’s own error', async () => {
    const answer = await read(
      await rpc({ jsonrpc: '2.0', id: 3, method: 'eth_sendRawTransaction', params: ['0x1234'] }),
    );
    expect(answer.id).toBe(3);
    expect(typeof answer.error.code).toBe('number');
    expect(answer.error.message).not.toBe('the chain did not answer');
  });
});

describe('the faucet', () => {
  const faucet = (body: unknown, as: TestPerson | null = person) =>
    request(tally, 'POST', '/api/chain/faucet', { body, as: as ?? undefined });

  it('refuses bad requests with a 4xx naming the field, and queues nothing', async () => {
    const before = await outgoingCount();
    const address = privateKeyToAccount(generatePrivateKey()).address;
    expect((await faucet({ address, token: 'USDC' }, null)).status).toBe(401);
    const cases = [
      [{ address: '0x1234', token: 'USDC' }, 'address'],
      [{ address, token: 'WBTC' }, 'token'],
      // Minor units, as every amount in the API: a decimal point is refused, not read as tokens.
      [{ address, token: 'USDC', amount: '250.5' }, 'amount'],
      [{ address, token: 'USDC', amount: '1e6' }, 'amount'],
      [{ address, token: 'USDC', amount: '100000000001' }, 'amount'],
      [{ address, token: 'USDC', amount: '0' }, 'amount'],
      [{ address, token: 'USDC', amount: 250 }, 'amount'],
    ] as const;
    for (const [body, field] of cases) {
      const response = await faucet(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { error } = await read(response);
      expect(JSON.stringify(error)).toContain(field);
    }
    expect(await outgoingCount()).toBe(before);
  });

  it('mints exactly what was asked, with ETH for gas only when the address has little', async () => {
    const address = privateKeyToAccount(generatePrivateKey()).address;
    const response = await faucet({ address, token: 'USDC', amount: '250500000' });
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(202);
    const outcome = await read(response);
    expect(outcome).toMatchObject({ address, token: 'USDC', amount: '250500000' });
    expect(outcome.transactions.map((t: { purpose: string; state: string }) => [t.purpose, t.state])).toEqual(
      [
        ['faucet', 'queued'],
        ['faucet', 'queued'],
      ],
    );
    await sendAll();
    const usdc = chain.deployment.tokens.USDC.address;
    expect(await balanceOf(usdc, address)).toBe(250_500_000n);
    expect(await chain.client.publicClient.getBalance({ address })).toBe(parseEther('1'));

    const again = await read(await faucet({ address, token: 'DAI' }));
    expect(again.transactions).toHaveLength(1);
    await sendAll();
    const dai = chain.deployment.tokens.DAI?.address as Address;
    expect(await balanceOf(dai, address)).toBe(1000n * 10n ** 18n);

    const mine = await request(tally, 'GET', `/api/chain/transactions/${again.transactions[0].id}`, {
      as: person,
    });
    expect(await read(mine)).toMatchObject({ state: 'confirmed', purpose: 'faucet' });
    const stranger = await signedInPerson(tally);
    expect(
      (await request(tally, 'GET', `/api/chain/transactions/${again.transactions[0].id}`, { as: stranger }))
        .status,
    ).toBe(404);
    expect(
      (await request(tally, 'GET', `/api/chain/transactions/${again.transactions[0].id}`, { as: admin }))
        .status,
    ).toBe(200);
  });

  it('gives one account, and one address, at most ten a day; a day later again', async () => {
    const [asker, other] = [await signedInPerson(tally), await signedInPerson(tally)];
    const address = privateKeyToAccount(generatePrivateKey()).address;
    const ask = (who: TestPerson, to: string) => faucet({ address: to, token: 'DAI', amount: '1' }, who);
    for (let i = 0; i < FAUCET_DAILY_LIMIT.limit; i++) expect((await ask(asker, address)).status).toBe(202);
    const before = await snapshotTables(tally.database.db, ['core_rate_limits']);
    const refused = await ask(asker, privateKeyToAccount(generatePrivateKey()).address);
    expect(refused.status).toBe(429);
    expect((await read(refused)).error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The address is spent for the day too, whoever asks for it.
    expect((await ask(other, address)).status).toBe(429);
    await expectUnchanged(tally.database.db, before);
    tally.clock.advance(FAUCET_DAILY_LIMIT.windowMs);
    expect((await ask(asker, address)).status).toBe(202);
    await sendAll();
  });

  it('is answered by the operator key from the command line', async () => {
    const address = privateKeyToAccount(generatePrivateKey()).address;
    const response = await request(tally, 'POST', '/api/chain/faucet', {
      body: { address, token: 'USDC', amount: '1' },
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(response.status).toBe(202);
    await sendAll();
    expect(await balanceOf(chain.deployment.tokens.USDC.address, address)).toBe(1n);
  });
});

describe('GET /api/chain/status', () => {
  it('shows administrators the head, the treasury’s balances and the transactions; nobody else', async () => {
    expect((await request(tally, 'GET', '/api/chain/status', { as: person })).status).toBe(403);
    const status = await read(await request(tally, 'GET', '/api/chain/status', { as: admin }));
    const head = await chain.client.publicClient.getBlockNumber();
    expect(BigInt(status.head.number)).toBe(head);
    const eth = status.treasury.balances.find((b: { symbol: string }) => b.symbol === 'ETH');
    expect(BigInt(eth.amount)).toBe(
      await chain.client.publicClient.getBalance({ address: chain.treasury.address }),
    );
    expect(status.transactions.queued + status.transactions.pending).toBe(0);
    expect(status.transactions.recent.length).toBeGreaterThan(0);
    expect(status.transactions.recent.every((t: { state: string }) => t.state === 'confirmed')).toBe(true);
    expect(BigInt(status.treasury.next_nonce)).toBe(
      BigInt(await chain.client.publicClient.getTransactionCount({ address: chain.treasury.address })),
    );
  });
});

describe('Sign-In with Ethereum from a contract wallet (ERC-1271)', () => {
  async function signInAs(
    target: TestTally,
    wallet: Address,
    signer: ReturnType<typeof privateKeyToAccount>,
  ) {
    const { nonce } = await read(await request(target, 'GET', '/api/auth/siwe/nonce'));
    const message = createSiweMessage({
      address: wallet,
      chainId: 31337,
      domain: 'tally.test',
      nonce,
      uri: 'http://tally.test/login',
      version: '1',
      issuedAt: target.clock.now(),
    });
    const signature = await signer.signMessage({ message });
    return request(target, 'POST', '/api/auth/siwe/verify', { body: { message, signature } });
  }

  it('is accepted when the wallet contract vouches for its owner’s signature, and refused otherwise', async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const contract = await deployContract(
      chain.client,
      walletFor(chain.client, devAccounts()[9] as Account),
      ERC1271Wallet,
      [owner.address],
    );
    expect((await signInAs(tally, contract, owner)).status).toBe(200);
    const impostor = privateKeyToAccount(generatePrivateKey());
    expect((await signInAs(tally, contract, impostor)).status).toBe(401);
    // Without a chain, only plain keys can be checked.
    expect((await signInAs(await testTally(), contract, owner)).status).toBe(401);
  });
});
