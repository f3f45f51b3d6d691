import { sql } from 'drizzle-orm';
import { parseAbi } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Body, read, request, type TestTally, testTally } from '../../../test/support/app';
import { settleChain, signedAuthorization, startTestChain } from '../../../test/support/chain';
import {
  creditsAdmin,
  freshEmail,
  mailedTemporaryPassword,
  makeProduct,
  ok,
} from '../../../test/support/credits';
import { mintUsdc } from '../../../test/support/gateway';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import type { ChainRuntime } from '../../chain/runtime';
import { DEV_MNEMONIC } from '../../chain/runtime';
import { queryRows } from '../../core/database';
import { getAccount } from '../../ledger/service';
import { CHECKOUT_ACCOUNTS } from './service';

let chain: ChainRuntime;
let tally: TestTally;
let productId: string;

const usdcAbi = parseAbi(['function balanceOf(address) view returns (uint256)']);
const FIRST_BUYER = 11;

beforeAll(async () => {
  chain = await startTestChain();
  // The buyers' USDC, minted before Tally takes the treasury's nonces over.
  for (let index = FIRST_BUYER; index < FIRST_BUYER + 6; index++)
    await mintUsdc(chain, mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).address, 1_000_000_000n);
  // The chain's blocks carry real time: the authorizations' windows are read against it.
  tally = await testTally({ chain, start: new Date().toISOString() });
  const admin = await creditsAdmin(tally);
  productId = (await makeProduct(tally, admin, { type: 'generic', credits: 120 })).id;
  await ok(tally, 200, 'PATCH', `/api/credits/products/${productId}`, {
    as: admin,
    body: { display_price: { amount_minor: '4900', currency: 'USD' } },
  });
});

let nextAccount = FIRST_BUYER;
const buyerWallet = () => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: nextAccount++ });

/** What the checkout page does: reads the offer, and has the wallet sign an authorization of its value. */
async function signedCheckout(
  wallet: ReturnType<typeof mnemonicToAccount>,
  options: { product?: string; value?: bigint; email?: string } = {},
) {
  const offer = await read(
    await request(tally, 'GET', `/api/credits/checkout/${options.product ?? productId}`),
  );
  const { body } = await signedAuthorization(
    chain,
    wallet,
    offer.terms,
    options.value ?? BigInt(offer.value),
  );
  return { email: options.email ?? freshEmail(), name: 'Grace', authorization: body };
}

const post = (body: Body, product = productId) =>
  request(tally, 'POST', `/api/credits/checkout/${product}`, { body });

describe('the checkout', () => {
  it('offers a product at its USD price in USDC, with the terms a wallet signs', async () => {
    const offer = await read(await request(tally, 'GET', `/api/credits/checkout/${productId}`));
    expect(offer).toMatchObject({
      product: { id: productId, type: 'generic' },
      price: { amount_minor: '4900', currency: 'USD' },
      value: '49000000',
      unavailable: null,
      terms: { chain_id: chain.client.chainId, to: chain.treasury.address, domain: { name: 'USD Coin' } },
    });
  });

  it('makes the purchase once the payment is confirmed, as a webhook does: account, credits, login mail, USDC booked', async () => {
    const wallet = buyerWallet();
    const body = await signedCheckout(wallet);
    const treasuryBefore = await chain.client.publicClient.readContract({
      address: chain.deployment.tokens.USDC.address,
      abi: usdcAbi,
      functionName: 'balanceOf',
      args: [chain.treasury.address],
    });
    const started = await post(body);
    expect(started.status).toBe(201);
    const checkout = await read(started);
    expect(checkout).toMatchObject({ state: 'awaiting_payment', value: '49000000', purchase_id: null });
    // The same authorization again is the same checkout, whatever the timing.
    const again = await post(body);
    expect(again.status).toBe(200);
    expect((await read(again)).id).toBe(checkout.id);

    await settleChain(tally);
    const paid = await read(await request(tally, 'GET', `/api/credits/checkouts/${checkout.id}`));
    expect(paid).toMatchObject({ state: 'paid', failure: null });
    expect(paid.purchase_id).toBeTruthy();
    const [purchase] = await queryRows<{ source: string; email: string; amount: string; currency: string }>(
      tally.database.db,
      sql`SELECT source, email, amount_paid_minor::text AS amount, amount_paid_currency AS currency
          FROM credits_purchases WHERE id = ${paid.purchase_id}`,
    );
    expect(purchase).toEqual({ source: 'checkout', email: body.email, amount: '4900', currency: 'USD' });
    expect(await mailedTemporaryPassword(tally, body.email)).toBeTruthy();
    expect(
      await chain.client.publicClient.readContract({
        address: chain.deployment.tokens.USDC.address,
        abi: usdcAbi,
        functionName: 'balanceOf',
        args: [chain.treasury.address],
      }),
    ).toBe(treasuryBefore + 49_000_000n);
    expect((await getAccount(tally.database, CHECKOUT_ACCOUNTS.sales)).creditsPosted).toBeGreaterThanOrEqual(
      49_000_000n,
    );

    // Settling again, in this process or a restarted one, makes nothing twice.
    const restarted = await tally.restart();
    await settleChain(restarted);
    await settleChain(tally);
    const [made] = await queryRows<{ n: number }>(
      tally.database.db,
      sql`SELECT count(*)::int AS n FROM credits_purchases WHERE order_id = ${checkout.id}`,
    );
    expect(made!.n).toBe(1);
  });

  it('refuses a wrong amount, a product priced in another currency, a bad signature and a wallet short of USDC, and records nothing', async () => {
    const admin = await creditsAdmin(tally);
    const euros = (await makeProduct(tally, admin, { type: 'generic', credits: 10 })).id;
    await ok(tally, 200, 'PATCH', `/api/credits/products/${euros}`, {
      as: admin,
      body: { display_price: { amount_minor: '900', currency: 'EUR' } },
    });
    const before = await snapshotTables(tally.database.db, ['credits_checkouts', 'chain_transactions']);
    const wallet = buyerWallet();

    const cheap = await post(await signedCheckout(wallet, { value: 1_000_000n }));
    expect(cheap.status).toBe(422);
    expect((await read(cheap)).error).toMatchObject({
      code: 'checkout_amount',
      details: { price: '49000000' },
    });

    const offer = await read(await request(tally, 'GET', `/api/credits/checkout/${euros}`));
    expect(offer).toMatchObject({ value: null, unavailable: expect.stringContaining('priced in EUR') });
    const inEuros = await post(await signedCheckout(wallet, { product: productId }), euros);
    expect(inEuros.status).toBe(409);
    expect((await read(inEuros)).error.code).toBe('checkout_unavailable');

    const forged = await signedCheckout(wallet);
    forged.authorization.from = buyerWallet().address;
    const refused = await post(forged);
    expect(refused.status).toBe(422);
    expect((await read(refused)).error.code).toBe('signature_invalid');

    // A wallet short of USDC is told so before anything is sent to the chain.
    const empty = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 40 });
    const short = await post(await signedCheckout(empty));
    expect(short.status).toBe(422);
    expect((await read(short)).error).toMatchObject({
      code: 'insufficient_balance',
      message: expect.stringContaining('holds 0 USDC, less than the 49 USDC this payment needs'),
      details: { balance: '0', needed: '49000000' },
    });

    const unknown = await request(tally, 'GET', '/api/credits/checkout/01900000-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    await expectUnchanged(tally.database.db, before);
  });
});
