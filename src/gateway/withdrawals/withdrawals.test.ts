import { sql } from 'drizzle-orm';
import { type Address, parseAbi } from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { settleChain, startTestChain } from '../../../test/support/chain';
import { fundCredits, linkWallet, mintToTreasury } from '../../../test/support/gateway';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { type ChainRuntime, DEV_MNEMONIC, devChainControls, walletFor } from '../../chain/runtime';
import { queryRows } from '../../core/database';

let chain: ChainRuntime;
let tally: TestTally;

const usdcAbi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function blacklist(address account)',
  'function updateBlacklister(address newBlacklister)',
]);

beforeAll(async () => {
  chain = await startTestChain();
  await mintToTreasury(chain, 1_000_000_000n);
  const treasury = walletFor(chain.client, chain.treasury);
  // A blacklister of its own, so a blacklisting can land in the same block as a withdrawal.
  await chain.client.publicClient.waitForTransactionReceipt({
    hash: await treasury.writeContract({
      address: chain.deployment.tokens.USDC.address,
      abi: usdcAbi,
      functionName: 'updateBlacklister',
      args: [blacklister.address],
    }),
  });
  tally = await testTally({ chain });
});

const blacklister = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 8 });

const usdcOf = (address: Address) =>
  chain.client.publicClient.readContract({
    address: chain.deployment.tokens.USDC.address,
    abi: usdcAbi,
    functionName: 'balanceOf',
    args: [address],
  });

async function holder(funds: bigint) {
  const person = await signedInPerson(tally);
  const wallet = privateKeyToAccount(generatePrivateKey());
  await linkWallet(tally, person.userId, wallet.address);
  await fundCredits(tally, person.userId, funds);
  return { person, wallet };
}

const balance = async (person: Awaited<ReturnType<typeof holder>>['person']): Promise<Body> =>
  read(await request(tally, 'GET', '/api/gateway/balance', { as: person }));

describe('withdrawals', () => {
  it('hold the amount while the USDC is on its way, pay it once, and leave the person in withdrew_funds', async () => {
    const { person, wallet } = await holder(5_000_000n);
    const response = await request(tally, 'POST', '/api/gateway/withdrawals', {
      as: person,
      body: { amount: '5000000' },
      headers: { 'idempotency-key': 'withdraw-all' },
    });
    expect(response.status).toBe(201);
    const withdrawal = await read(response);
    expect(withdrawal).toMatchObject({
      state: 'pending',
      to: wallet.address.toLowerCase(),
      amount: '5000000',
    });
    expect(await balance(person)).toMatchObject({ available: '0', held: '5000000' });

    const again = await request(tally, 'POST', '/api/gateway/withdrawals', {
      as: person,
      body: { amount: '5000000' },
      headers: { 'idempotency-key': 'withdraw-all' },
    });
    expect((await read(again)).id).toBe(withdrawal.id);

    await settleChain(tally, { follow: false });
    await settleChain(tally, { follow: false });
    const paid = await read(
      await request(tally, 'GET', `/api/gateway/withdrawals/${withdrawal.id}`, { as: person }),
    );
    expect(paid.state).toBe('paid');
    expect(await usdcOf(wallet.address)).toBe(5_000_000n);
    expect(await balance(person)).toMatchObject({ available: '0', held: '0', state: 'withdrew_funds' });
    const [sent] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions WHERE purpose = 'gateway.withdrawal' AND metadata->>'withdrawal_id' = ${withdrawal.id}`,
    );
    expect(sent!.n).toBe(1);
  });

  it('pays a withdrawal once across a restart in the middle of sending it', async () => {
    const { person, wallet } = await holder(3_000_000n);
    const withdrawal = await read(
      await request(tally, 'POST', '/api/gateway/withdrawals', { as: person, body: { amount: '3000000' } }),
    );
    // The first process broadcasts the transfer, then dies before it records the outcome.
    await tally.sender!.processDue();
    const restarted = await tally.restart();
    await settleChain(restarted, { follow: false });
    await settleChain(restarted, { follow: false });
    const paid = await read(
      await request(restarted, 'GET', `/api/gateway/withdrawals/${withdrawal.id}`, { as: person }),
    );
    expect(paid.state).toBe('paid');
    expect(await usdcOf(wallet.address)).toBe(3_000_000n);
    expect(await balance(person)).toMatchObject({ available: '0', held: '0' });
  });

  it('gives the credits back when the chain refuses the transfer (a blacklisted payee)', async () => {
    const { person, wallet } = await holder(2_000_000n);
    const withdrawal = await read(
      await request(tally, 'POST', '/api/gateway/withdrawals', { as: person, body: { amount: '1500000' } }),
    );
    // USDC blacklists the payee in the block that mines the transfer, ahead of it: the transfer reverts.
    const controls = devChainControls(chain.client);
    await controls.setAutomine(false);
    try {
      await tally.sender!.processDue();
      await walletFor(chain.client, blacklister).writeContract({
        address: chain.deployment.tokens.USDC.address,
        abi: usdcAbi,
        functionName: 'blacklist',
        args: [wallet.address],
        maxPriorityFeePerGas: 50n * 10n ** 9n,
        maxFeePerGas: 100n * 10n ** 9n,
      });
      await controls.mine({ blocks: 1 });
    } finally {
      await controls.setAutomine(true);
    }
    await settleChain(tally, { follow: false });
    const failed = await read(
      await request(tally, 'GET', `/api/gateway/withdrawals/${withdrawal.id}`, { as: person }),
    );
    expect(failed.state).toBe('failed');
    expect(failed.failure).toContain('refused on chain');
    expect(await balance(person)).toMatchObject({ available: '2000000', held: '0' });
  });

  it('refuses more than is available, a wallet not linked, and changes nothing', async () => {
    const { person } = await holder(1_000n);
    const before = await snapshotTables(tally.database.db);
    const over = await request(tally, 'POST', '/api/gateway/withdrawals', {
      as: person,
      body: { amount: '1001' },
    });
    expect(over.status).toBe(422);
    expect((await read(over)).error).toMatchObject({
      code: 'insufficient_credits',
      details: { available: '1000' },
    });
    const elsewhere = await request(tally, 'POST', '/api/gateway/withdrawals', {
      as: person,
      body: { amount: '10', to: privateKeyToAccount(generatePrivateKey()).address },
    });
    expect((await read(elsewhere)).error.code).toBe('wallet_not_linked');
    await expectUnchanged(tally.database.db, before);
  });
});
