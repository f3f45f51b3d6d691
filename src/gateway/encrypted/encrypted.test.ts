import { sql } from 'drizzle-orm';
import { type Address, getAddress, type Hex, parseAbi, parseEventLogs } from 'viem';
import {
  generatePrivateKey,
  mnemonicToAccount,
  type PrivateKeyAccount,
  privateKeyToAccount,
} from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { settleChain, signedAuthorization, startTestChain } from '../../../test/support/chain';
import { observableWords } from '../../../test/support/chain-trace';
import {
  connectBearer,
  type GatewayWorld,
  gatewayWorld,
  linkWallet,
  mintToTreasury,
} from '../../../test/support/gateway';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { startUnreliableRpc } from '../../../test/support/unreliable-rpc';
import { createChainClient } from '../../chain/client';
import { type ChainRuntime, DEV_MNEMONIC } from '../../chain/runtime';
import { outgoingTransactions } from '../../chain/schema';
import { base8, multiply } from '../../chain/zk/babyjub';
import {
  ciphertextFromJson,
  ciphertextToJson,
  decrypt,
  type KeyPair,
  keyPairFromSignature,
} from '../../chain/zk/elgamal';
import { planWithdrawal, readAccount } from '../../chain/zk/encrypted-credits';
import { auditorKeyOf } from '../../chain/zk/operator';
import { prove, releaseProver } from '../../chain/zk/proofs';
import { systemActor } from '../../core/actor';
import { queryRows } from '../../core/database';
import { applyTransfers } from '../../ledger/engine';
import { getAccount } from '../../ledger/service';
import { signKeyRegistration } from '../client';
import type { GatewayDeps } from '../deps';
import { encryptedAccountOf, GATEWAY_ACCOUNTS, USDC_LEDGER } from '../ledger';
import { gatewayDeps } from '../line';
import { periodEndAt, settle, updateSettings } from '../settlement/service';
import { auditEncryptedBalances } from './audit';
import { payEncrypted, proveEncryptedBatches, SWEEP_PATIENCE_MS } from './payouts';
import { closeGatewayProvers } from './runtime';
import { proveEncryptedWithdrawals } from './withdrawals';

let chain: ChainRuntime;
let tally: TestTally;
let deps: GatewayDeps;
let world: GatewayWorld;
let admin: TestPerson;
let contract: Address;
let auditor: KeyPair;

const usdcAbi = parseAbi(['function balanceOf(address) view returns (uint256)']);

beforeAll(async () => {
  chain = await startTestChain();
  await mintToTreasury(chain, 1_000_000_000n);
  tally = await testTally({ chain });
  deps = gatewayDeps(tally.context);
  world = await gatewayWorld(tally);
  admin = await signedInPerson(tally, { isAdmin: true });
  contract = chain.deployment.encryptedCredits!.contract;
  auditor = await auditorKeyOf(chain.treasury);
  await updateSettings(deps, systemActor, { minimumPayout: 100_000n });
}, 120_000);

afterAll(async () => {
  await world?.close();
  await closeGatewayProvers();
  await releaseProver();
});

interface Provider {
  person: TestPerson;
  providerId: string;
  serverId: string;
  slug: string;
  wallet: PrivateKeyAccount;
  key: KeyPair;
}

/** What `work` answers with `deps` whose chain RPC refuses the next gas estimate, as a provider in trouble does. */
async function withGasEstimateRefused<T>(work: (troubled: GatewayDeps) => Promise<T>): Promise<T> {
  const rpc = await startUnreliableRpc(chain.client.rpcUrl);
  try {
    const client = createChainClient({ rpcUrl: rpc.url, chainId: chain.client.chainId, dev: true });
    rpc.refuse('eth_estimateGas', { code: -32603, message: 'upstream connect error' });
    const answer = await work({ ...deps, chain: { ...chain, client } });
    expect(rpc.calls).toContain('eth_estimateGas');
    return answer;
  } finally {
    await rpc.stop();
  }
}

async function provider(name: string): Promise<Provider> {
  const person = await signedInPerson(tally);
  const wallet = privateKeyToAccount(generatePrivateKey());
  const made = await read(
    await request(tally, 'POST', '/api/gateway/provider', {
      as: person,
      body: { name, payout_address: wallet.address },
    }),
  );
  const slug = name.toLowerCase().replaceAll(' ', '-');
  const server = await read(
    await request(tally, 'POST', '/api/gateway/servers', {
      as: person,
      body: { slug, name, upstream_url: world.upstream.url },
    }),
  );
  await tally.database.db.execute(
    sql`UPDATE gateway_providers SET kyc_state = 'approved' WHERE id = ${made.id}`,
  );
  const terms = await read(await request(tally, 'GET', '/api/gateway/provider/encrypted', { as: person }));
  // The portal's first step: the wallet signs the key message, and the key is what that signature gives.
  const key = keyPairFromSignature(await wallet.signMessage({ message: terms.key_message }));
  return { person, providerId: made.id, serverId: server.id, slug, wallet, key };
}

const keyBody = (key: KeyPair) => ({ x: key.publicKey.x.toString(), y: key.publicKey.y.toString() });

/** The wallet's EIP-712 `RegisterKey` of the typed data a registration route answers. */
async function signRegistration(
  signer: { signTypedData: PrivateKeyAccount['signTypedData'] },
  path: string,
  as: TestPerson,
  body: Record<string, unknown>,
): Promise<Hex> {
  return signKeyRegistration(signer, await read(await request(tally, 'POST', path, { as, body })));
}

const registrationSignature = (who: Provider, signer: PrivateKeyAccount = who.wallet): Promise<Hex> =>
  signRegistration(signer, '/api/gateway/provider/encrypted/registration', who.person, {
    key: keyBody(who.key),
  });

async function register(who: Provider): Promise<Body> {
  const response = await request(tally, 'POST', '/api/gateway/provider/encrypted/key', {
    as: who.person,
    body: { address: who.wallet.address, key: keyBody(who.key), signature: await registrationSignature(who) },
  });
  expect(response.status).toBe(201);
  return read(response);
}

/** A person whose development wallet (funded with USDC on the embedded chain) deposits through the chain, and who calls tools with a bearer grant. */
async function depositor(
  index: number,
  amount: bigint,
): Promise<{ person: TestPerson; wallet: Address; token: string }> {
  const wallet = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const person = await signedInPerson(tally);
  await linkWallet(tally, person.userId, wallet.address);
  const terms = await read(await request(tally, 'GET', '/api/gateway/deposits/terms', { as: person }));
  const signed = await signedAuthorization(chain, wallet, terms, amount, { validAfter: 0n });
  const deposited = await request(tally, 'POST', '/api/gateway/deposits', { as: person, body: signed.body });
  expect(deposited.status).toBe(201);
  const issued = await request(tally, 'POST', '/api/gateway/grants', {
    as: person,
    body: {
      label: 'an agent',
      cap: amount.toString(),
      expires_at: new Date(tally.clock.now().getTime() + 7 * 86_400_000).toISOString(),
    },
  });
  expect(issued.status).toBe(201);
  return { person, wallet: wallet.address, token: (await read(issued)).token };
}

/** `count` calls of the priced `add` tool over MCP, as an agent with a bearer grant makes them. */
async function callAdd(token: string, to: Provider, count: number): Promise<void> {
  const client = await connectBearer(world, token, to.slug);
  try {
    for (let i = 0; i < count; i++) {
      const result = await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
      expect(result.isError).toBeFalsy();
      expect(result._meta?.['tally/receipt']).toBeTruthy();
    }
  } finally {
    await client.close();
  }
}

const usdcOf = (address: Address) =>
  chain.client.publicClient.readContract({
    address: chain.deployment.tokens.USDC.address,
    abi: usdcAbi,
    functionName: 'balanceOf',
    args: [address],
  });

const ledgerEncrypted = async (providerId: string) => {
  const account = await getAccount(deps, encryptedAccountOf(providerId));
  return { posted: account.creditsPosted - account.debitsPosted, pending: account.debitsPending };
};

const onChain = (address: Address) => readAccount(chain.client.publicClient, contract, address);

let alpha: Provider;
let beta: Provider;

describe('an encrypted account', () => {
  it('is registered from the payout wallet’s signature, with no gas of the provider’s; refusals change nothing', async () => {
    alpha = await provider('Alpha tools');
    beta = await provider('Beta tools');
    const stranger = privateKeyToAccount(generatePrivateKey());

    const elsewhere = await request(tally, 'POST', '/api/gateway/provider/encrypted/key', {
      as: alpha.person,
      body: {
        address: stranger.address,
        key: keyBody(alpha.key),
        signature: await registrationSignature(alpha),
      },
    });
    expect(elsewhere.status).toBe(422);
    expect((await read(elsewhere)).error.code).toBe('not_payout_address');

    const forged = await request(tally, 'POST', '/api/gateway/provider/encrypted/key', {
      as: alpha.person,
      body: {
        address: alpha.wallet.address,
        key: keyBody(alpha.key),
        signature: await registrationSignature(alpha, stranger),
      },
    });
    expect(forged.status).toBe(422);
    expect((await read(forged)).error.code).toBe('bad_key_signature');

    const offCurve = await request(tally, 'POST', '/api/gateway/provider/encrypted/key', {
      as: alpha.person,
      body: {
        address: alpha.wallet.address,
        key: { x: alpha.key.publicKey.x.toString(), y: (alpha.key.publicKey.y + 1n).toString() },
        signature: await registrationSignature(alpha),
      },
    });
    expect(offCurve.status).toBe(422);
    expect((await read(offCurve)).error.code).toBe('unusable_key');
    const before = await read(
      await request(tally, 'GET', '/api/gateway/provider/encrypted', { as: alpha.person }),
    );
    expect(before).toMatchObject({
      enabled: true,
      account: null,
      balance: null,
      claimable: '0',
      can_claim: false,
    });

    const ethBefore = await chain.client.publicClient.getBalance({ address: alpha.wallet.address });
    expect(await register(alpha)).toMatchObject({
      state: 'registering',
      address: alpha.wallet.address.toLowerCase(),
    });
    // Sent again, the same registration answers the same account.
    expect((await register(alpha)).state).toBe('registering');
    await register(beta);
    await settleChain(tally, { follow: false });
    const after = await read(
      await request(tally, 'GET', '/api/gateway/provider/encrypted', { as: alpha.person }),
    );
    expect(after.account.state).toBe('registered');
    expect(await chain.client.publicClient.getBalance({ address: alpha.wallet.address })).toBe(ethBefore);
    expect((await onChain(alpha.wallet.address)).key).toEqual(alpha.key.publicKey);

    const again = await request(tally, 'POST', '/api/gateway/provider/encrypted/key', {
      as: alpha.person,
      body: {
        address: alpha.wallet.address,
        key: keyBody(beta.key),
        signature: await registrationSignature(alpha),
      },
    });
    expect(again.status).toBe(409);
    expect((await read(again)).error.code).toBe('key_registered');
  }, 120_000);
});

describe('a settlement with encrypted payouts', () => {
  let alphaNet: bigint;
  let betaNet: bigint;
  const transactions: Hex[] = [];
  const people: Address[] = [];
  let firstToken: string;

  it('pays both providers out of the pool in one batch, proven in parallel, after two people deposit through the chain and call their tools over MCP', async () => {
    for (const [who, price] of [
      [alpha, '300000'],
      [beta, '170000'],
    ] as const) {
      const priced = await request(tally, 'PUT', `/api/gateway/servers/${who.serverId}/prices`, {
        as: who.person,
        body: { prices: { add: price } },
      });
      expect(priced.status).toBe(200);
    }
    const first = await depositor(2, 5_000_000n);
    firstToken = first.token;
    const second = await depositor(3, 4_000_000n);
    people.push(first.wallet, second.wallet);
    await settleChain(tally);
    expect(
      (await read(await request(tally, 'GET', '/api/gateway/balance', { as: first.person }))).available,
    ).toBe('5000000');
    await callAdd(first.token, alpha, 3);
    await callAdd(second.token, alpha, 1);
    await callAdd(first.token, beta, 2);
    await callAdd(second.token, beta, 1);
    await deps.meter.flushed();

    tally.clock.advance(25 * 3_600_000);
    const run = await settle(deps, periodEndAt(tally.clock.now(), 24));
    expect(run.made).toBe(true);
    // Alpha's 4 calls earned 1,200,000 and Beta's 3 calls 510,000; the 5 % fee of the run's 1,710,000
    // is 85,500, spread 60,000 and 25,500.
    alphaNet = 1_140_000n;
    betaNet = 484_500n;
    const pending = await read(
      await request(tally, 'GET', '/api/gateway/provider/earnings', { as: alpha.person }),
    );
    expect(pending.payouts[0]).toMatchObject({ state: 'pending', amount: alphaNet.toString() });
    expect(pending.payouts[0].to).toBe(alpha.wallet.address.toLowerCase());

    // The treasury's deposit of the run's total into the pool is confirmed; then the batch is proven.
    expect(await proveEncryptedBatches(deps)).toEqual({
      state: 'waiting',
      reason: 'the oldest batch waits for its funding',
    });
    await settleChain(tally, { follow: false });
    // The RPC in trouble when the batch's gas is estimated: the batch waits, counting no attempt.
    expect(await withGasEstimateRefused(proveEncryptedBatches)).toMatchObject({
      state: 'waiting',
      reason: expect.stringContaining('could not estimate'),
    });
    const [leftWaiting] = await queryRows<{ attempts: number; proving_until: string | null }>(
      tally.database.db,
      sql`SELECT attempts, proving_until::text FROM gateway_encrypted_batches
          WHERE settlement_id = ${run.settlement.id}`,
    );
    expect(leftWaiting).toEqual({ attempts: 0, proving_until: null });
    const proven = await proveEncryptedBatches(deps);
    expect(proven).toMatchObject({ state: 'sent', moves: 2 });
    await settleChain(tally, { follow: false });

    const paid = await read(
      await request(tally, 'GET', '/api/gateway/provider/earnings', { as: alpha.person }),
    );
    expect(paid.payouts[0]).toMatchObject({ state: 'paid', amount: alphaNet.toString(), encrypted: true });
    expect(paid.claimable).toBe('0');
    expect(await ledgerEncrypted(alpha.providerId)).toEqual({ posted: alphaNet, pending: 0n });
    expect(await ledgerEncrypted(beta.providerId)).toEqual({ posted: betaNet, pending: 0n });

    // Each provider's own key reads its payout; the auditor key reads the same; the pool is empty again.
    for (const [who, net] of [
      [alpha, alphaNet],
      [beta, betaNet],
    ] as const) {
      const held = await onChain(who.wallet.address);
      expect(decrypt(held.balance, who.key.secret, 1n << 32n)).toBe(net);
      expect(decrypt(held.audit, auditor.secret, 1n << 32n)).toBe(net);
    }
    const pool = await onChain(contract);
    expect(decrypt(pool.audit, auditor.secret, 1n << 24n)).toBe(0n);
    expect(await usdcOf(contract)).toBe(alphaNet + betaNet);

    const rows = await queryRows<{ hash: Hex }>(
      tally.database.db,
      sql`SELECT mined_hash AS hash FROM ${outgoingTransactions} WHERE purpose IN ('gateway.deposit', 'gateway.encrypted_funding', 'gateway.encrypted_payouts') AND mined_hash IS NOT NULL`,
    );
    for (const row of rows) transactions.push(row.hash);
    // Two deposits, the run's funding, its one batch.
    expect(transactions).toHaveLength(4);
  }, 240_000);

  it('leaves no payout amount, and no person beside a provider, in any log, calldata or storage slot of the run', async () => {
    const hidden = [alphaNet, betaNet];
    const forbidden = new Set<bigint>(hidden.flatMap((amount) => [amount, multiply(base8, amount).x]));
    const providers = [alpha, beta].map((who) => BigInt(who.wallet.address));
    const persons = people.map((who) => BigInt(who));
    let slotsSeen = 0;
    const naming = { person: 0, provider: 0 };
    for (const hash of transactions) {
      const { from, to, words, slots } = await observableWords(chain.client.publicClient, hash);
      slotsSeen += slots;
      for (const word of words) expect(forbidden.has(word)).toBe(false);
      // A transaction that names a person (a deposit) names no provider, and the other way round.
      const named = new Set([BigInt(from), ...(to ? [BigInt(to)] : []), ...words]);
      const namesPerson = persons.some((who) => named.has(who));
      const namesProvider = providers.some((who) => named.has(who));
      expect(namesPerson && namesProvider).toBe(false);
      naming.person += namesPerson ? 1 : 0;
      naming.provider += namesProvider ? 1 : 0;
    }
    // The search finds each where it is: the two deposits name their people, the batch its providers.
    expect(naming).toEqual({ person: 2, provider: 1 });
    expect(slotsSeen).toBeGreaterThan(16);
  });

  it('agrees with the ledger in the daily audit, and finds a ledger entry the chain does not have', async () => {
    const clean = await auditEncryptedBalances(deps);
    expect(clean).toMatchObject({ checked: 3, skipped: 0, mismatches: [] });
    const audits = await read(await request(tally, 'GET', '/api/gateway/encrypted/audits', { as: admin }));
    expect(audits.audits[0]).toMatchObject({ checked: 3, mismatches: [] });
    expect((await request(tally, 'GET', '/api/gateway/encrypted/audits', { as: alpha.person })).status).toBe(
      403,
    );

    // One micro-USDC more on the ledger than the chain holds: the audit names the account, and what the chain holds.
    await applyTransfers(
      tally.database.db,
      [
        {
          id: '5f0c7a1e-93b4-4c2a-8e61-0d9b2f4a7c13',
          debitAccountId: GATEWAY_ACCOUNTS.fees,
          creditAccountId: encryptedAccountOf(beta.providerId),
          amount: 1n,
          ledger: USDC_LEDGER,
          code: 'test_drift',
        },
      ],
      { clock: tally.clock },
    );
    const drift = await auditEncryptedBalances(deps);
    expect(drift?.mismatches).toEqual([
      {
        address: beta.wallet.address.toLowerCase(),
        providerId: beta.providerId,
        userId: null,
        expected: (betaNet + 1n).toString(),
        found: betaNet.toString(),
      },
    ]);
    const listed = await read(await request(tally, 'GET', '/api/gateway/encrypted/audits', { as: admin }));
    expect(listed.audits[0].mismatches).toEqual([
      {
        address: beta.wallet.address.toLowerCase(),
        provider_id: beta.providerId,
        user_id: null,
        expected: (betaNet + 1n).toString(),
        found: betaNet.toString(),
      },
    ]);
    await applyTransfers(
      tally.database.db,
      [
        {
          id: '5f0c7a1e-93b4-4c2a-8e61-0d9b2f4a7c14',
          debitAccountId: encryptedAccountOf(beta.providerId),
          creditAccountId: GATEWAY_ACCOUNTS.fees,
          amount: 1n,
          ledger: USDC_LEDGER,
          code: 'test_drift',
        },
      ],
      { clock: tally.clock },
    );
  }, 60_000);

  it('lets the provider claim what its key reads, with its own proof, once; a proof of anything else is refused', async () => {
    const portal = await read(
      await request(tally, 'GET', '/api/gateway/provider/encrypted', { as: alpha.person }),
    );
    expect(portal).toMatchObject({ claimable: alphaNet.toString(), can_claim: true });
    const balance = ciphertextFromJson(portal.balance);
    const value = decrypt(balance, alpha.key.secret, 1n << 32n)!;
    expect(value).toBe(alphaNet);

    const wrong = planWithdrawal({
      owner: alpha.key,
      balance,
      value,
      amount: value - 1n,
      recipient: alpha.wallet.address,
    });
    const wrongProof = await prove('withdraw', wrong.inputs);
    const mismatched = await request(tally, 'POST', '/api/gateway/provider/encrypted/claims', {
      as: alpha.person,
      body: {
        amount: value.toString(),
        new_balance: ciphertextToJson(wrong.statement.newBalance),
        proof: wrongProof.proof,
      },
    });
    expect(mismatched.status).toBe(422);
    expect((await read(mismatched)).error.code).toBe('invalid_claim_proof');
    expect(await ledgerEncrypted(alpha.providerId)).toEqual({ posted: alphaNet, pending: 0n });

    const claim = planWithdrawal({
      owner: alpha.key,
      balance,
      value,
      amount: value,
      recipient: alpha.wallet.address,
    });
    const proof = await prove('withdraw', claim.inputs);
    const body = {
      amount: value.toString(),
      new_balance: ciphertextToJson(claim.statement.newBalance),
      proof: proof.proof,
    };
    const claimed = await request(tally, 'POST', '/api/gateway/provider/encrypted/claims', {
      as: alpha.person,
      body,
    });
    expect(claimed.status).toBe(201);
    const pendingClaim = await read(claimed);
    expect(pendingClaim).toMatchObject({ state: 'pending', amount: alphaNet.toString() });
    expect(pendingClaim.transaction_id).toMatch(/^[0-9a-f-]{36}$/);
    const twice = await request(tally, 'POST', '/api/gateway/provider/encrypted/claims', {
      as: alpha.person,
      body,
    });
    expect(twice.status).toBe(409);
    expect((await read(twice)).error.code).toBe('claim_pending');

    await settleChain(tally, { follow: false });
    expect(await usdcOf(alpha.wallet.address)).toBe(alphaNet);
    expect(await ledgerEncrypted(alpha.providerId)).toEqual({ posted: 0n, pending: 0n });
    const after = await read(
      await request(tally, 'GET', '/api/gateway/provider/encrypted', { as: alpha.person }),
    );
    expect(after).toMatchObject({ claimable: '0', can_claim: false });
    expect(after.claims[0]).toMatchObject({ state: 'paid', amount: alphaNet.toString() });
    expect(decrypt(ciphertextFromJson(after.balance), alpha.key.secret, 1n << 24n)).toBe(0n);

    const replay = await request(tally, 'POST', '/api/gateway/provider/encrypted/claims', {
      as: alpha.person,
      body,
    });
    expect(replay.status).toBe(422);
    expect((await read(replay)).error.code).toBe('nothing_to_claim');
    expect(await auditEncryptedBalances(deps)).toMatchObject({ checked: 3, mismatches: [] });
  }, 120_000);

  it('refuses a claim before KYC is approved', async () => {
    await tally.database.db.execute(
      sql`UPDATE gateway_providers SET kyc_state = 'submitted' WHERE id = ${beta.providerId}`,
    );
    const refused = await request(tally, 'POST', '/api/gateway/provider/encrypted/claims', {
      as: beta.person,
      body: {
        amount: '1',
        new_balance: ciphertextToJson({ c1: base8, c2: base8 }),
        proof: {
          pi_a: ['1', '2'],
          pi_b: [
            ['1', '2'],
            ['3', '4'],
          ],
          pi_c: ['1', '2'],
        },
      },
    });
    expect(refused.status).toBe(403);
    expect((await read(refused)).error.code).toBe('kyc_not_approved');
    expect(await ledgerEncrypted(beta.providerId)).toEqual({ posted: betaNet, pending: 0n });
    expect(getAddress(beta.wallet.address)).toBe(beta.wallet.address);
  });

  it('fails a batch that cannot be sent after three attempts, gives its amounts back, and pays the next run from what the pool kept', async () => {
    const batchesOf = () =>
      queryRows<{ state: string; total: string; funded: string; attempts: number }>(
        tally.database.db,
        sql`SELECT state, total::text, funded::text, attempts FROM gateway_encrypted_batches ORDER BY created_at, id`,
      );
    const earned = async () =>
      (await read(await request(tally, 'GET', '/api/gateway/provider/earnings', { as: alpha.person })))
        .claimable;

    // Alpha earns 0.6 USDC, 570,000 after the fee; its key on record is broken, so no proof of the
    // batch verifies on chain and its gas estimate is refused.
    await callAdd(firstToken, alpha, 2);
    await deps.meter.flushed();
    const { key_x: keyX, key_y: keyY } = (
      await queryRows<{ key_x: string; key_y: string }>(
        tally.database.db,
        sql`SELECT key_x, key_y FROM gateway_encrypted_accounts WHERE provider_id = ${alpha.providerId}`,
      )
    )[0]!;
    await tally.database.db.execute(
      sql`UPDATE gateway_encrypted_accounts SET key_x = ${beta.key.publicKey.x.toString()}, key_y = ${beta.key.publicKey.y.toString()} WHERE provider_id = ${alpha.providerId}`,
    );
    tally.clock.advance(24 * 3_600_000);
    expect((await settle(deps, periodEndAt(tally.clock.now(), 24))).made).toBe(true);
    expect(await earned()).toBe('0');
    await settleChain(tally, { follow: false });
    for (let attempt = 1; attempt <= 3; attempt++)
      expect((await proveEncryptedBatches(deps)).state).toBe('waiting');
    expect((await batchesOf()).at(-1)).toMatchObject({
      state: 'failed',
      total: '570000',
      funded: '570000',
      attempts: 3,
    });
    // The amount is the provider's to be paid again; the pool keeps the deposit, as the audit reads it.
    expect(await earned()).toBe('570000');
    expect(decrypt((await onChain(contract)).audit, auditor.secret, 1n << 24n)).toBe(570_000n);
    expect(await auditEncryptedBalances(deps)).toMatchObject({ mismatches: [] });

    // The key mended, the next run pays 855,000 with 285,000 deposited: the pool held the rest.
    await tally.database.db.execute(
      sql`UPDATE gateway_encrypted_accounts SET key_x = ${keyX}, key_y = ${keyY} WHERE provider_id = ${alpha.providerId}`,
    );
    await callAdd(firstToken, alpha, 1);
    await deps.meter.flushed();
    tally.clock.advance(24 * 3_600_000);
    expect((await settle(deps, periodEndAt(tally.clock.now(), 24))).made).toBe(true);
    expect((await batchesOf()).at(-1)).toMatchObject({ state: 'funding', total: '855000', funded: '285000' });
    await settleChain(tally, { follow: false });
    // Two processes at once: one proves and sends, the other leaves the batch to it.
    const [one, other] = await Promise.all([proveEncryptedBatches(deps), proveEncryptedBatches(deps)]);
    expect([one.state, other.state].sort()).toEqual(['sent', 'waiting']);
    await settleChain(tally, { follow: false });
    expect((await batchesOf()).at(-1)).toMatchObject({ state: 'paid', attempts: 1 });
    expect(await ledgerEncrypted(alpha.providerId)).toEqual({ posted: 855_000n, pending: 0n });
    expect(decrypt((await onChain(alpha.wallet.address)).balance, alpha.key.secret, 1n << 24n)).toBe(
      855_000n,
    );
    expect(decrypt((await onChain(contract)).audit, auditor.secret, 1n << 24n)).toBe(0n);
    expect(await auditEncryptedBalances(deps)).toMatchObject({ mismatches: [] });
  }, 240_000);

  it('never has a claim and a payout to one account on their way together: the batch waits for the claim, a claim for the batch', async () => {
    // Alpha holds 855,000 and earns 285,000 more; the run's batch is funded.
    await callAdd(firstToken, alpha, 1);
    await deps.meter.flushed();
    tally.clock.advance(24 * 3_600_000);
    expect((await settle(deps, periodEndAt(tally.clock.now(), 24))).made).toBe(true);
    await settleChain(tally, { follow: false });
    const claimOf = async (amount: bigint) => {
      const balance = (await onChain(alpha.wallet.address)).balance;
      const value = decrypt(balance, alpha.key.secret, 1n << 24n)!;
      const planned = planWithdrawal({
        owner: alpha.key,
        balance,
        value,
        amount,
        recipient: alpha.wallet.address,
      });
      const proof = await prove('withdraw', planned.inputs);
      return request(tally, 'POST', '/api/gateway/provider/encrypted/claims', {
        as: alpha.person,
        body: {
          amount: amount.toString(),
          new_balance: ciphertextToJson(planned.statement.newBalance),
          proof: proof.proof,
        },
      });
    };

    // A claim on its way: the batch is not proven over it, and counts no attempt.
    expect((await claimOf(55_000n)).status).toBe(201);
    expect(await proveEncryptedBatches(deps)).toEqual({
      state: 'waiting',
      reason: `a claim of ${alpha.wallet.address.toLowerCase()} is on its way: the batch waits for it`,
    });
    await settleChain(tally, { follow: false });
    expect(await usdcOf(alpha.wallet.address)).toBe(alphaNet + 55_000n);
    expect(await proveEncryptedBatches(deps)).toMatchObject({ state: 'sent', moves: 1 });

    // The batch on its way: the portal says so, and a claim proven over the balance before it lands
    // is refused, and holds nothing.
    expect(
      await read(await request(tally, 'GET', '/api/gateway/provider/encrypted', { as: alpha.person })),
    ).toMatchObject({ claimable: '800000', can_claim: false, payout_landing: true });
    const early = await claimOf(800_000n);
    expect(early.status).toBe(409);
    expect((await read(early)).error.code).toBe('payout_on_its_way');
    expect(await ledgerEncrypted(alpha.providerId)).toEqual({ posted: 800_000n, pending: 0n });
    await settleChain(tally, { follow: false });
    expect(await ledgerEncrypted(alpha.providerId)).toEqual({ posted: 1_085_000n, pending: 0n });
    expect(
      await read(await request(tally, 'GET', '/api/gateway/provider/encrypted', { as: alpha.person })),
    ).toMatchObject({ claimable: '1085000', can_claim: true, payout_landing: false });
    expect(decrypt((await onChain(alpha.wallet.address)).balance, alpha.key.secret, 1n << 24n)).toBe(
      1_085_000n,
    );
    expect(await auditEncryptedBalances(deps)).toMatchObject({ mismatches: [] });
  }, 240_000);
});

interface Spender {
  person: TestPerson;
  wallet: ReturnType<typeof mnemonicToAccount>;
  key: KeyPair;
  token: string;
}

/** A person who registers the key of their encrypted credits from a development wallet, as the Deposit page does. */
async function spender(index: number): Promise<Spender> {
  const wallet = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const person = await signedInPerson(tally);
  await linkWallet(tally, person.userId, wallet.address);
  const account = await read(await request(tally, 'GET', '/api/gateway/encrypted', { as: person }));
  expect(account).toMatchObject({ enabled: true, contract, account: null, on_chain: '0' });
  const key = keyPairFromSignature(await wallet.signMessage({ message: account.key_message }));
  const signature = await signRegistration(wallet, '/api/gateway/encrypted/registration', person, {
    address: wallet.address,
    key: keyBody(key),
  });
  const registered = await request(tally, 'POST', '/api/gateway/encrypted/key', {
    as: person,
    body: { address: wallet.address, key: keyBody(key), signature },
  });
  expect(registered.status).toBe(201);
  expect((await read(registered)).state).toBe('registering');
  const issued = await request(tally, 'POST', '/api/gateway/grants', {
    as: person,
    body: {
      label: 'an agent',
      cap: '10000000',
      expires_at: new Date(tally.clock.now().getTime() + 30 * 86_400_000).toISOString(),
    },
  });
  return { person, wallet, key, token: (await read(issued)).token };
}

/** A deposit into the person's own encrypted account: the authorization's `to` is the contract. */
async function depositEncrypted(who: Spender, amount: bigint): Promise<Body> {
  const terms = await read(await request(tally, 'GET', '/api/gateway/deposits/terms', { as: who.person }));
  expect(terms.encrypted).toEqual({ to: contract, account: who.wallet.address });
  const signed = await signedAuthorization(chain, who.wallet, { ...terms, to: terms.encrypted.to }, amount, {
    validAfter: 0n,
  });
  const made = await request(tally, 'POST', '/api/gateway/deposits', {
    as: who.person,
    body: { ...signed.body, to: contract },
  });
  expect(made.status).toBe(201);
  return read(made);
}

const ledgerPosted = async (who: Spender) =>
  (await read(await request(tally, 'GET', '/api/gateway/encrypted', { as: who.person }))) as {
    on_chain: string;
    unswept: string;
  };

describe('people’s encrypted credits', () => {
  let pat: Spender;
  let quinn: Spender;
  const runTransactions: Hex[] = [];

  it('registers a person’s key from a linked wallet and mints their deposit to it; refusals change nothing', async () => {
    pat = await spender(4);
    quinn = await spender(5);
    const outsider = privateKeyToAccount(generatePrivateKey());
    const unlinked = await request(tally, 'POST', '/api/gateway/encrypted/key', {
      as: pat.person,
      body: { address: outsider.address, key: keyBody(pat.key), signature: '0x00' },
    });
    expect(unlinked.status).toBe(422);
    expect((await read(unlinked)).error.code).toBe('wallet_not_linked');
    // Before the registration is confirmed, deposits to the contract are refused.
    const early = await request(tally, 'GET', '/api/gateway/deposits/terms', { as: pat.person });
    expect((await read(early)).encrypted).toBeNull();
    await settleChain(tally, { follow: false });
    expect((await onChain(pat.wallet.address)).key).toEqual(pat.key.publicKey);

    // A second wallet of Pat's is linked: a second account is refused, and so is a deposit from it to the contract.
    const second = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 6 });
    await linkWallet(tally, pat.person.userId, second.address);
    const another = await request(tally, 'POST', '/api/gateway/encrypted/key', {
      as: pat.person,
      body: { address: second.address, key: keyBody(quinn.key), signature: '0x00' },
    });
    expect(another.status).toBe(409);
    expect((await read(another)).error.code).toBe('key_registered');
    const terms = await read(await request(tally, 'GET', '/api/gateway/deposits/terms', { as: pat.person }));
    const fromSecond = await signedAuthorization(chain, second, { ...terms, to: contract }, 1_000_000n, {
      validAfter: 0n,
    });
    const transfer = await signedAuthorization(chain, pat.wallet, { ...terms, to: contract }, 1_000_000n, {
      validAfter: 0n,
      kind: 'transfer',
    });
    const elsewhere = await signedAuthorization(
      chain,
      pat.wallet,
      { ...terms, to: outsider.address },
      1_000_000n,
      {
        validAfter: 0n,
      },
    );
    const before = await snapshotTables(tally.database.db);
    for (const [body, status, code] of [
      [{ ...fromSecond.body, to: contract }, 422, 'not_encrypted_account'],
      [{ ...transfer.body, to: contract }, 422, 'not_encrypted_account'],
      [{ ...elsewhere.body, to: outsider.address }, 400, 'validation_failed'],
    ] as const) {
      const refused = await request(tally, 'POST', '/api/gateway/deposits', { as: pat.person, body });
      expect(refused.status).toBe(status);
      expect((await read(refused)).error.code).toBe(code);
    }
    expect(
      (await read(await request(tally, 'GET', '/api/gateway/deposits', { as: pat.person }))).items,
    ).toEqual([]);
    await expectUnchanged(tally.database.db, before);

    const treasuryBefore = await usdcOf(chain.treasury.address);
    const contractBefore = await usdcOf(contract);
    expect(await depositEncrypted(pat, 3_000_000n)).toMatchObject({
      state: 'payment_received',
      encrypted: true,
    });
    await depositEncrypted(quinn, 2_500_000n);
    await settleChain(tally);
    expect(
      (await read(await request(tally, 'GET', '/api/gateway/balance', { as: pat.person }))).available,
    ).toBe('3000000');
    // The USDC went to the contract, not the treasury; each person's key, and the auditor's, read their deposit.
    expect(await usdcOf(contract)).toBe(contractBefore + 5_500_000n);
    expect(await usdcOf(chain.treasury.address)).toBe(treasuryBefore);
    for (const [who, amount] of [
      [pat, 3_000_000n],
      [quinn, 2_500_000n],
    ] as const) {
      const held = await onChain(who.wallet.address);
      expect(decrypt(held.balance, who.key.secret, 1n << 32n)).toBe(amount);
      expect(decrypt(held.audit, auditor.secret, 1n << 32n)).toBe(amount);
      expect(await ledgerPosted(who)).toMatchObject({ on_chain: amount.toString(), unswept: '0' });
      const rows = await queryRows<{ hash: Hex }>(
        tally.database.db,
        sql`SELECT t.mined_hash AS hash FROM gateway_deposits d JOIN ${outgoingTransactions} t ON t.id = d.transaction_id WHERE d.from_address = ${who.wallet.address.toLowerCase()}`,
      );
      runTransactions.push(rows[0]!.hash);
    }
  }, 180_000);

  it('sweeps what each person spent into the pool and pays the providers out of it in one batch, with nothing from the treasury', async () => {
    await tally.database.db.execute(
      sql`UPDATE gateway_providers SET kyc_state = 'approved' WHERE id = ${beta.providerId}`,
    );
    await callAdd(pat.token, alpha, 2);
    await callAdd(pat.token, beta, 1);
    await callAdd(quinn.token, alpha, 1);
    await callAdd(quinn.token, beta, 2);
    await deps.meter.flushed();
    // Pat spent 770,000 and Quinn 640,000; the chain still holds their deposits until the settlement.
    expect(await ledgerPosted(pat)).toMatchObject({ on_chain: '3000000', unswept: '770000' });
    const alphaBefore = await ledgerEncrypted(alpha.providerId);
    const betaBefore = await ledgerEncrypted(beta.providerId);

    tally.clock.advance(24 * 3_600_000);
    expect((await settle(deps, periodEndAt(tally.clock.now(), 24))).made).toBe(true);
    const [batch] = await queryRows<{
      id: string;
      state: string;
      total: string;
      swept: string;
      funded: string;
    }>(
      tally.database.db,
      sql`SELECT id, state, total::text, swept::text, funded::text FROM gateway_encrypted_batches ORDER BY created_at DESC LIMIT 1`,
    );
    // Alpha's 3 calls earned 900,000 and Beta's 3 calls 510,000: 855,000 and 484,500 after the 5 % fee.
    // The sweeps bring 1,410,000, more than the payouts take: the treasury deposits nothing.
    expect(batch).toMatchObject({ state: 'proving', total: '1339500', swept: '1410000', funded: '0' });
    expect(await proveEncryptedBatches(deps)).toMatchObject({ state: 'sent', moves: 4 });
    await settleChain(tally, { follow: false });
    const [hash] = await queryRows<{ hash: Hex }>(
      tally.database.db,
      sql`SELECT t.mined_hash AS hash FROM gateway_encrypted_batches b JOIN ${outgoingTransactions} t ON t.id = b.paying_transaction_id WHERE b.id = ${batch!.id}`,
    );
    runTransactions.push(hash!.hash);

    expect(await ledgerEncrypted(alpha.providerId)).toEqual({
      posted: alphaBefore.posted + 855_000n,
      pending: 0n,
    });
    expect(await ledgerEncrypted(beta.providerId)).toEqual({
      posted: betaBefore.posted + 484_500n,
      pending: 0n,
    });
    for (const [who, left] of [
      [pat, 2_230_000n],
      [quinn, 1_860_000n],
    ] as const) {
      expect(decrypt((await onChain(who.wallet.address)).balance, who.key.secret, 1n << 32n)).toBe(left);
      expect(await ledgerPosted(who)).toMatchObject({ on_chain: left.toString(), unswept: '0' });
    }
    // The pool keeps the run's fees.
    expect(decrypt((await onChain(contract)).audit, auditor.secret, 1n << 24n)).toBe(70_500n);
    expect(await auditEncryptedBalances(deps)).toMatchObject({ checked: 5, skipped: 0, mismatches: [] });
  }, 240_000);

  it('shows a chain observer no amount spent or paid and no balance; the batch names who spent and who was paid, each beside the pool only', async () => {
    const hidden = [770_000n, 640_000n, 855_000n, 484_500n, 2_230_000n, 1_860_000n, 70_500n];
    const forbidden = new Set<bigint>(hidden.flatMap((amount) => [amount, multiply(base8, amount).x]));
    const persons = [pat, quinn].map((who) => BigInt(who.wallet.address));
    const providers = [alpha, beta].map((who) => BigInt(who.wallet.address));
    const moved = parseAbi(['event Moved(address indexed from, address indexed to)']);
    let moves = 0;
    for (const hash of runTransactions) {
      const { words } = await observableWords(chain.client.publicClient, hash);
      for (const word of words) expect(forbidden.has(word)).toBe(false);
      const receipt = await chain.client.publicClient.getTransactionReceipt({ hash });
      for (const log of receipt.logs) {
        const named = new Set(log.topics.slice(1).map((topic) => BigInt(topic)));
        expect(persons.some((who) => named.has(who)) && providers.some((who) => named.has(who))).toBe(false);
      }
      const events = parseEventLogs({ abi: moved, logs: receipt.logs });
      for (const event of events) {
        // Every move has the pool on one side: people pay into it, providers are paid out of it.
        expect([event.args.from, event.args.to]).toContain(contract);
        moves += 1;
      }
    }
    expect(moves).toBe(4);
  });

  it('pays a withdrawal to the account’s own wallet out of the encrypted account, proven by the auditor key', async () => {
    const walletBefore = await usdcOf(pat.wallet.address);
    const contractBefore = await usdcOf(contract);
    const treasuryBefore = await usdcOf(chain.treasury.address);
    const made = await request(tally, 'POST', '/api/gateway/withdrawals', {
      as: pat.person,
      body: { amount: '1000000', to: pat.wallet.address },
    });
    expect(made.status).toBe(201);
    expect(await read(made)).toMatchObject({ state: 'pending', encrypted: true, transaction_id: null });
    // The RPC in trouble when the proof's gas is estimated: the withdrawal waits for the next run,
    // and nothing of it fails.
    expect(await withGasEstimateRefused(proveEncryptedWithdrawals)).toEqual({
      proven: 0,
      waiting: 1,
      failed: 0,
    });
    const waiting = await read(await request(tally, 'GET', '/api/gateway/withdrawals', { as: pat.person }));
    expect(waiting.items[0]).toMatchObject({ state: 'pending', encrypted: true, transaction_id: null });
    // Two processes at once: one queues the proven withdrawal, the other's is dropped.
    const [one, other] = await Promise.all([
      proveEncryptedWithdrawals(deps),
      proveEncryptedWithdrawals(deps),
    ]);
    expect(one.proven + other.proven).toBe(1);
    await settleChain(tally, { follow: false });
    const listed = await read(await request(tally, 'GET', '/api/gateway/withdrawals', { as: pat.person }));
    expect(listed.items[0]).toMatchObject({ state: 'paid', encrypted: true, amount: '1000000' });
    expect(await usdcOf(pat.wallet.address)).toBe(walletBefore + 1_000_000n);
    expect(await usdcOf(contract)).toBe(contractBefore - 1_000_000n);
    expect(await usdcOf(chain.treasury.address)).toBe(treasuryBefore);
    expect(decrypt((await onChain(pat.wallet.address)).balance, pat.key.secret, 1n << 32n)).toBe(1_230_000n);
    expect(await ledgerPosted(pat)).toMatchObject({ on_chain: '1230000', unswept: '0' });
    expect(await auditEncryptedBalances(deps)).toMatchObject({ checked: 5, mismatches: [] });
  }, 120_000);

  it('sweeps what the treasury paid out to another of the person’s wallets at the next settlement, in a batch of sweeps alone', async () => {
    const second = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 6 });
    const made = await request(tally, 'POST', '/api/gateway/withdrawals', {
      as: pat.person,
      body: { amount: '200000', to: second.address },
    });
    expect(made.status).toBe(201);
    expect((await read(made)).encrypted).toBe(false);
    await settleChain(tally, { follow: false });
    expect(await ledgerPosted(pat)).toMatchObject({ on_chain: '1230000', unswept: '200000' });
    tally.clock.advance(24 * 3_600_000);
    const run = await settle(deps, periodEndAt(tally.clock.now(), 24));
    expect(run.made).toBe(true);
    expect(await proveEncryptedBatches(deps)).toMatchObject({ state: 'sent', moves: 1 });
    await settleChain(tally, { follow: false });
    expect(decrypt((await onChain(pat.wallet.address)).balance, pat.key.secret, 1n << 32n)).toBe(1_030_000n);
    expect(decrypt((await onChain(contract)).audit, auditor.secret, 1n << 24n)).toBe(270_500n);
    expect(await auditEncryptedBalances(deps)).toMatchObject({ checked: 5, mismatches: [] });
    // The run's encrypted work asked again (a re-run after a crash) moves nothing twice.
    const sweeps = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM gateway_encrypted_sweeps`,
    );
    expect(await payEncrypted(deps, run.settlement.id, [])).toEqual(new Map());
    expect(
      await queryRows<{ n: number }>(
        tally.database.db,
        sql`SELECT count(*)::int AS n FROM gateway_encrypted_sweeps`,
      ),
    ).toEqual(sweeps);
    expect(await proveEncryptedBatches(deps)).toEqual({ state: 'idle' });
  }, 180_000);

  it('waits for a deposit on its way before sweeping an account, then leaves the sweep to the next run and pays the providers', async () => {
    await callAdd(pat.token, beta, 1);
    await deps.meter.flushed();
    // A deposit into Pat's account is queued and not yet on chain when the day is settled.
    await depositEncrypted(pat, 100_000n);
    tally.clock.advance(24 * 3_600_000);
    expect((await settle(deps, periodEndAt(tally.clock.now(), 24))).made).toBe(true);
    const latestBatch = async () =>
      (
        await queryRows<{ state: string; total: string; swept: string }>(
          tally.database.db,
          sql`SELECT state, total::text, swept::text FROM gateway_encrypted_batches ORDER BY created_at DESC LIMIT 1`,
        )
      )[0];
    // Beta's call earned 161,500 after the fee; Pat spent 170,000. The pool's 270,500 covers the payout.
    expect(await latestBatch()).toMatchObject({ state: 'proving', total: '161500', swept: '170000' });
    expect(await proveEncryptedBatches(deps)).toMatchObject({ state: 'waiting' });
    expect(await latestBatch()).toMatchObject({ state: 'proving', swept: '170000' });

    tally.clock.advance(SWEEP_PATIENCE_MS + 60_000);
    expect(await proveEncryptedBatches(deps)).toMatchObject({ state: 'sent', moves: 1 });
    expect(await latestBatch()).toMatchObject({ state: 'paying', swept: '0' });
    await settleChain(tally);
    expect(await latestBatch()).toMatchObject({ state: 'paid' });
    expect(decrypt((await onChain(contract)).audit, auditor.secret, 1n << 24n)).toBe(270_500n - 161_500n);
    // The deposit is credited; the account still holds what Pat spent, for the next run.
    expect(await ledgerPosted(pat)).toMatchObject({ on_chain: '1130000', unswept: '170000' });
    expect(await auditEncryptedBalances(deps)).toMatchObject({ mismatches: [] });
    tally.clock.advance(24 * 3_600_000);
    expect((await settle(deps, periodEndAt(tally.clock.now(), 24))).made).toBe(true);
    expect(await proveEncryptedBatches(deps)).toMatchObject({ state: 'sent', moves: 1 });
    await settleChain(tally, { follow: false });
    expect(decrypt((await onChain(pat.wallet.address)).balance, pat.key.secret, 1n << 32n)).toBe(960_000n);
    expect(decrypt((await onChain(contract)).audit, auditor.secret, 1n << 24n)).toBe(279_000n);
    expect(await auditEncryptedBalances(deps)).toMatchObject({ checked: 5, mismatches: [] });
  }, 180_000);

  it('refuses a deposit that would take an account beyond what the circuits prove, and changes nothing', async () => {
    const rich = await spender(7);
    await settleChain(tally, { follow: false });
    // What Tally records the account holds, just under the bound (a record only: nothing on chain).
    const record = '1099511527776';
    await tally.database.db.execute(
      sql`INSERT INTO gateway_deposits (id, user_id, kind, from_address, value, valid_after, valid_before, nonce, signature, state, encrypted, created_at, updated_at)
          VALUES ('3c1e9a52-7b40-4f6d-8e21-5a9c0d7e4b13', ${rich.person.userId}, 'receive', ${rich.wallet.address.toLowerCase()}, ${record}, 0, 0, ${`0x${'ab'.repeat(32)}`}, '0x00', 'credits_issued', true, ${tally.clock.now()}, ${tally.clock.now()})`,
    );
    const before = await snapshotTables(tally.database.db);
    const terms = await read(await request(tally, 'GET', '/api/gateway/deposits/terms', { as: rich.person }));
    const signed = await signedAuthorization(chain, rich.wallet, { ...terms, to: contract }, 100_000n, {
      validAfter: 0n,
    });
    const refused = await request(tally, 'POST', '/api/gateway/deposits', {
      as: rich.person,
      body: { ...signed.body, to: contract },
    });
    expect(refused.status).toBe(422);
    expect((await read(refused)).error).toMatchObject({
      code: 'not_encrypted_account',
      details: { field: 'value', held: record },
    });
    await expectUnchanged(tally.database.db, before);
    await tally.database.db.execute(
      sql`DELETE FROM gateway_deposits WHERE id = '3c1e9a52-7b40-4f6d-8e21-5a9c0d7e4b13'`,
    );
  }, 60_000);
});
