import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { createWalletClient, http, parseAbi } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import {
  type AuthorizationOptions,
  type AuthorizationSigner,
  settleChain,
  signedAuthorization,
  startTestChain,
} from '../../../test/support/chain';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import type { ChainRuntime } from '../../chain/runtime';
import { DEV_MNEMONIC } from '../../chain/runtime';
import { ciphertextFromJson, decrypt } from '../../chain/zk/elgamal';
import { queryRows } from '../../core/database';
import { getAccount } from '../../ledger/service';
import { depositUsdc, registerPrivateBalance } from '../client';
import { creditsAccountOf, GATEWAY_ACCOUNTS } from '../ledger';

let chain: ChainRuntime;
let tally: TestTally;
let reader: TestPerson;

beforeAll(async () => {
  chain = await startTestChain();
  // The chain's blocks carry real time: the authorizations' windows are read against it.
  tally = await testTally({ chain, start: new Date().toISOString() });
  reader = await signedInPerson(tally);
});

const usdcAbi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
  'function cancelAuthorization(address authorizer, bytes32 nonce, bytes signature)',
]);

let nextAccount = 1;
/** A person with one of anvil's funded development accounts linked as their wallet. */
async function depositor(): Promise<{ person: TestPerson; wallet: ReturnType<typeof mnemonicToAccount> }> {
  const wallet = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: nextAccount++ });
  const person = await signedInPerson(tally);
  await tally.database.db.execute(
    sql`INSERT INTO core_wallets (address, user_id, linked_at) VALUES (${wallet.address.toLowerCase()}, ${person.userId}, ${tally.clock.now()})`,
  );
  return { person, wallet };
}

/** Runs `work` as code would: Tally served on a port, and an API key of the person's for the client. */
async function fromCode(
  person: TestPerson,
  work: (tallyUrl: string, apiKey: string) => Promise<void>,
): Promise<void> {
  const key = await read(
    await request(tally, 'POST', '/api/auth/api-keys', {
      as: person,
      body: { name: 'my agent', scopes: ['gateway:spend', 'gateway:read'] },
    }),
  );
  const server = serve({ fetch: tally.http.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  try {
    await work(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, key.secret);
  } finally {
    server.close();
  }
}

/** A signed authorization of `value` micro-USDC to the treasury, on the terms Tally gives for deposits. */
async function authorization(signer: AuthorizationSigner, value: bigint, options: AuthorizationOptions = {}) {
  const terms = await read(await request(tally, 'GET', '/api/gateway/deposits/terms', { as: reader }));
  return signedAuthorization(chain, signer, terms, value, options);
}

const balanceOf = async (userId: string) =>
  (await getAccount(tally.database, creditsAccountOf(userId))).creditsPosted;
const errorOf = async (response: Response) => ({ status: response.status, ...(await read(response)).error });

describe('deposits', () => {
  it('tells a wallet what to sign: USDC’s EIP-712 domain and the treasury as the payee', async () => {
    const terms = await read(
      await request(tally, 'GET', '/api/gateway/deposits/terms', { as: await signedInPerson(tally) }),
    );
    expect(terms).toMatchObject({
      chain_id: chain.client.chainId,
      domain: {
        name: 'USD Coin',
        version: '2',
        chainId: chain.client.chainId,
        verifyingContract: chain.deployment.tokens.USDC.address,
      },
      to: chain.treasury.address,
      decimals: 6,
      min_validity_seconds: 600,
    });
    expect(terms.types.ReceiveWithAuthorization.map((f: Body) => f.name)).toEqual([
      'from',
      'to',
      'value',
      'validAfter',
      'validBefore',
      'nonce',
    ]);
  });

  it('credits a receiveWithAuthorization once it is confirmed, once, however often it is sent and settled', async () => {
    const { person, wallet } = await depositor();
    const { body } = await authorization(wallet, 25_000_000n);
    const before = await chain.client.publicClient.readContract({
      address: chain.deployment.tokens.USDC.address,
      abi: usdcAbi,
      functionName: 'balanceOf',
      args: [chain.treasury.address],
    });

    const response = await request(tally, 'POST', '/api/gateway/deposits', { as: person, body });
    expect(response.status).toBe(201);
    const deposit = await read(response);
    expect(deposit).toMatchObject({
      state: 'payment_received',
      kind: 'receive',
      from: wallet.address.toLowerCase(),
      amount: '25000000',
      asset: 'USDC',
      credited_at: null,
    });
    // The same authorization again is the same deposit, and queues nothing more.
    const again = await request(tally, 'POST', '/api/gateway/deposits', { as: person, body });
    expect(again.status).toBe(200);
    expect((await read(again)).id).toBe(deposit.id);

    await settleChain(tally);
    const credited = await read(
      await request(tally, 'GET', `/api/gateway/deposits/${deposit.id}`, { as: person }),
    );
    expect(credited.state).toBe('credits_issued');
    expect(credited.credited_at).not.toBeNull();
    expect(await balanceOf(person.userId)).toBe(25_000_000n);
    const after = await chain.client.publicClient.readContract({
      address: chain.deployment.tokens.USDC.address,
      abi: usdcAbi,
      functionName: 'balanceOf',
      args: [chain.treasury.address],
    });
    expect(after - before).toBe(25_000_000n);
    const [queued] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM chain_outgoing_transactions WHERE purpose = 'gateway.deposit' AND metadata->>'deposit_id' = ${deposit.id}`,
    );
    expect(queued!.n).toBe(1);

    const page = await read(await request(tally, 'GET', '/api/gateway/deposits', { as: person }));
    expect(page.items.map((d: Body) => d.id)).toEqual([deposit.id]);
    expect(
      (
        await request(tally, 'GET', `/api/gateway/deposits/${deposit.id}`, {
          as: await signedInPerson(tally),
        })
      ).status,
    ).toBe(404);
  });

  it('credits a deposit once across a restart, and once with the old and the new process both running', async () => {
    const { person, wallet } = await depositor();
    const { body } = await authorization(wallet, 7_000_000n);
    const deposit = await read(await request(tally, 'POST', '/api/gateway/deposits', { as: person, body }));
    // The process that took the deposit dies before sending anything; another one starts.
    const restarted = await tally.restart();
    await settleChain(restarted);
    await settleChain(tally);
    await settleChain(restarted);
    expect(
      (await read(await request(restarted, 'GET', `/api/gateway/deposits/${deposit.id}`, { as: person })))
        .state,
    ).toBe('credits_issued');
    expect(await balanceOf(person.userId)).toBe(7_000_000n);
    const [credits] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM ledger_transfers WHERE code = 'deposit' AND metadata->>'deposit_id' = ${deposit.id}`,
    );
    expect(credits!.n).toBe(1);
  });

  it('takes a deposit from code: the client signs the authorization and an API key sends it', async () => {
    const { person, wallet } = await depositor();
    await fromCode(person, async (tallyUrl, apiKey) => {
      const deposit = await depositUsdc({ tally: tallyUrl, apiKey, wallet, amount: 4_000_000n });
      expect(deposit.state).toBe('payment_received');
      await settleChain(tally);
      expect(await balanceOf(person.userId)).toBe(4_000_000n);
      await expect(
        depositUsdc({
          tally: tallyUrl,
          apiKey,
          wallet: mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 8 }),
          amount: 1n,
        }),
      ).rejects.toThrow('Tally refused the deposit: the paying wallet is not linked to your account');
    });
  });

  it('sets up a private balance and deposits to it from code, then a plain deposit when asked', async () => {
    const { person, wallet } = await depositor();
    await fromCode(person, async (tallyUrl, apiKey) => {
      const options = { tally: tallyUrl, apiKey, wallet };
      const registered = await registerPrivateBalance(options);
      expect(registered.account).toMatchObject({
        state: 'registering',
        address: wallet.address.toLowerCase(),
      });
      await settleChain(tally, { follow: false });
      const minted = await depositUsdc({ ...options, amount: 2_000_000n });
      expect(minted).toMatchObject({ state: 'payment_received', encrypted: true });
      const plain = await depositUsdc({ ...options, amount: 500_000n, private: false });
      expect(plain.encrypted).toBe(false);
      await settleChain(tally);
      expect(await balanceOf(person.userId)).toBe(2_500_000n);
      const account = await read(await request(tally, 'GET', '/api/gateway/encrypted', { as: person }));
      expect(account).toMatchObject({ on_chain: '2000000', unswept: '0' });
      expect(decrypt(ciphertextFromJson(account.balance), registered.key.secret, 1n << 32n)).toBe(2_000_000n);
      await expect(registerPrivateBalance(options)).resolves.toMatchObject({
        account: { state: 'registered' },
      });
    });
  });

  it('credits a transferWithAuthorization someone else submitted first, once; Tally’s own submission then fails harmlessly', async () => {
    const { person, wallet } = await depositor();
    const { body, message, signature } = await authorization(wallet, 3_000_000n, { kind: 'transfer' });
    const deposit = await read(await request(tally, 'POST', '/api/gateway/deposits', { as: person, body }));

    // A relayer (anvil's account 9) submits the same authorization before the treasury's pass.
    const relayer = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 9 });
    const relayerWallet = createWalletClient({
      account: relayer,
      chain: chain.client.chain,
      transport: http(chain.client.rpcUrl),
    });
    const hash = await relayerWallet.writeContract({
      address: chain.deployment.tokens.USDC.address,
      abi: usdcAbi,
      functionName: 'transferWithAuthorization',
      args: [
        message.from,
        message.to,
        message.value,
        message.validAfter,
        message.validBefore,
        message.nonce,
        signature,
      ],
    });
    await chain.client.publicClient.waitForTransactionReceipt({ hash });

    await settleChain(tally);
    await settleChain(tally);
    expect(
      (await read(await request(tally, 'GET', `/api/gateway/deposits/${deposit.id}`, { as: person }))).state,
    ).toBe('credits_issued');
    expect(await balanceOf(person.userId)).toBe(3_000_000n);
    const [own] = await queryRows<{ state: string }>(
      tally.database.db,
      sql`SELECT state FROM chain_outgoing_transactions WHERE id = ${deposit.transaction_id}`,
    );
    expect(own!.state).toBe('reverted');
  });

  it('fails a deposit whose authorization the payer cancels on chain before it is used', async () => {
    const { person, wallet } = await depositor();
    const { body, message } = await authorization(wallet, 1_000_000n);
    const deposit = await read(await request(tally, 'POST', '/api/gateway/deposits', { as: person, body }));
    const terms = await read(await request(tally, 'GET', '/api/gateway/deposits/terms', { as: person }));
    const cancel = await wallet.signTypedData({
      domain: terms.domain,
      types: {
        CancelAuthorization: [
          { name: 'authorizer', type: 'address' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'CancelAuthorization',
      message: { authorizer: wallet.address, nonce: message.nonce },
    });
    const own = createWalletClient({
      account: wallet,
      chain: chain.client.chain,
      transport: http(chain.client.rpcUrl),
    });
    const hash = await own.writeContract({
      address: chain.deployment.tokens.USDC.address,
      abi: usdcAbi,
      functionName: 'cancelAuthorization',
      args: [wallet.address, message.nonce, cancel],
    });
    await chain.client.publicClient.waitForTransactionReceipt({ hash });

    await settleChain(tally);
    const failed = await read(
      await request(tally, 'GET', `/api/gateway/deposits/${deposit.id}`, { as: person }),
    );
    expect(failed).toMatchObject({
      state: 'failed',
      failure: 'the payer cancelled the authorization on chain',
    });
    expect(await balanceOf(person.userId)).toBe(0n);
  });

  it('refuses what cannot be credited, and changes nothing', async () => {
    const { person, wallet } = await depositor();
    const other = await signedInPerson(tally);
    const stranger = privateKeyToAccount(`0x${randomBytes(32).toString('hex')}`);
    const cases: [Promise<{ body: Record<string, string> }>, number, string, TestPerson?][] = [
      // Another person's wallet.
      [authorization(wallet, 1_000_000n), 422, 'wallet_not_linked', other],
      // Signed by someone else for this wallet.
      [authorization(stranger, 1_000_000n, { from: wallet.address }), 422, 'signature_invalid'],
      [authorization(wallet, 1_000_000n, { validFor: 60 }), 422, 'authorization_expiring'],
      [
        authorization(wallet, 1_000_000n, {
          validAfter: BigInt(Math.floor(tally.clock.now().getTime() / 1000) + 3600),
        }),
        422,
        'authorization_not_valid_yet',
      ],
      // More USDC than the wallet holds: refused before the chain is asked.
      [authorization(wallet, 10n ** 15n), 422, 'insufficient_balance'],
    ];
    const before = await snapshotTables(tally.database.db);
    for (const [made, status, code, as] of cases) {
      const { body } = await made;
      const refused = await errorOf(
        await request(tally, 'POST', '/api/gateway/deposits', { as: as ?? person, body }),
      );
      expect(refused, code).toMatchObject({ status, code });
    }
    const { body } = await authorization(wallet, 1_000_000n);
    expect(
      await errorOf(
        await request(tally, 'POST', '/api/gateway/deposits', { as: person, body: { ...body, value: '0' } }),
      ),
    ).toMatchObject({ status: 400 });
    await expectUnchanged(tally.database.db, before);
  });

  it('keeps the treasury’s USDC and the ledger in agreement', async () => {
    const onchain = await getAccount(tally.database, GATEWAY_ACCOUNTS.onchain);
    const [credited] = await queryRows<{ total: string }>(
      tally.database.db,
      sql`SELECT coalesce(sum(value), 0)::text AS total FROM gateway_deposits WHERE state = 'credits_issued'`,
    );
    expect(onchain.debitsPosted - onchain.creditsPosted).toBe(BigInt(credited!.total));
  });
});
