import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import {
  type AuthorizationEvent,
  type AuthorizationHandler,
  type AuthorizationInput,
  type AuthorizationTerms,
  authorizationError,
  authorizationKey,
  authorizationSettlement,
  authorizationTerms,
  checkAuthorization,
  nonceRefusal,
  sameAuthorization,
} from '../../chain/authorizations';
import { chainErrors } from '../../chain/errors';
import { derivedUuid } from '../../chain/follower/events';
import type { ChainRuntime } from '../../chain/runtime';
import { queueTransaction, type Settlement } from '../../chain/sender/sender';
import { type Actor, systemActor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { normalizeEmail } from '../../core/auth/accounts';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import type { Flow } from '../../core/flows';
import { isUuid, newId } from '../../core/ids';
import { rescale } from '../../core/money';
import { idFromCursor, type Page, type PageRequest, pageLimit, pageOf } from '../../core/paging';
import { applyTransfers } from '../../ledger/engine';
import { createAccounts, createLedger } from '../../ledger/service';
import { isSuccess } from '../../ledger/types';
import type { CreditsDeps } from '../deps';
import { derivedId } from '../engine/ledger';
import { creditsErrors } from '../errors';
import { type PurchaseInput, recordPurchase } from '../purchases/service';
import { type CheckoutState, checkouts, products } from '../schema';

/**
 * Tally's own checkout: every product priced in US dollars has a payment link, paid in USDC on the
 * configured chain by one wallet signature (an EIP-3009 authorization, the chain rail's way,
 * `chain/authorizations.ts`). The treasury submits it; when the chain's `AuthorizationUsed` is
 * confirmed the purchase is made exactly as a webhook makes one (the buyer registered and mailed
 * login details, the holding started), and the USDC is booked on the ledger. Once per
 * authorization, whatever the restarts and whoever submits it.
 */

export type Checkout = typeof checkouts.$inferSelect;

/** The sender's purpose for the treasury's transactions that submit checkout authorizations. */
export const CHECKOUT_PURPOSE = 'credits.checkout';
/** USD prices are paid in USDC one for one: cents become micro-USDC. */
const USD_SCALE = 2;
const USDC_SCALE = 6;
const USDC_LEDGER = 'USDC';

/** The credits line's USDC accounts: what the treasury received for it, and its sales. */
export const CHECKOUT_ACCOUNTS = {
  onchain: derivedId('account', 'usdc', 'onchain'),
  sales: derivedId('account', 'usdc', 'sales'),
} as const;

/** The USDC ledger and the checkout's accounts; safe at every start. */
export async function ensureCheckoutLedger(db: Db, clock: Clock): Promise<void> {
  await createLedger({ db, clock }, { code: USDC_LEDGER, scale: USDC_SCALE });
  await createAccounts({ db, clock }, [
    { id: CHECKOUT_ACCOUNTS.onchain, ledger: USDC_LEDGER, code: 'credits_checkout_onchain' },
    { id: CHECKOUT_ACCOUNTS.sales, ledger: USDC_LEDGER, code: 'credits_checkout_sales' },
  ]);
}

/** What a product's payment link offers: the product, its price in USDC, and what a wallet signs. */
export interface CheckoutOffer {
  product: { id: string; name: string; description: string; type: string };
  price: { amountMinor: bigint; currency: string };
  /** The USDC to authorize (micro-units); null when the checkout cannot sell this product. */
  value: bigint | null;
  /** Why the checkout cannot sell it (a price in another currency, no price, no chain); null when it can. */
  unavailable: string | null;
  terms: AuthorizationTerms | null;
}

/**
 * `seller`: on a reseller's domain its own products are the only ones on sale, so its shop never
 * sells (or shows the payment link of) a product of Tally's or of another reseller.
 */
export async function checkoutOffer(
  deps: CreditsDeps,
  productId: string,
  seller?: string,
): Promise<CheckoutOffer> {
  const product = await sellable(deps.db, productId, seller);
  const price = { amountMinor: product.displayPriceMinor, currency: product.displayCurrency };
  const unavailable = !deps.chain
    ? 'this Tally runs without a chain: its checkout is off'
    : product.displayCurrency !== 'USD'
      ? `${product.name} is priced in ${product.displayCurrency}; Tally's checkout takes USDC for prices in US dollars`
      : product.displayPriceMinor === 0n
        ? `${product.name} has no price to pay`
        : null;
  return {
    product: { id: product.id, name: product.name, description: product.description, type: product.type },
    price,
    value: unavailable ? null : rescale(product.displayPriceMinor, USD_SCALE, USDC_SCALE, 'up'),
    unavailable,
    terms: deps.chain ? await authorizationTerms(deps.chain) : null,
  };
}

/** A product anyone may buy: it exists, is sold, and is the seller's when a reseller's shop sells it. */
async function sellable(db: Db, productId: string, seller?: string) {
  const [product] = isUuid(productId)
    ? await db.select().from(products).where(eq(products.id, productId))
    : [];
  if (!product || (seller !== undefined && product.ownerUserId !== seller)) {
    throw notFound('product', { id: productId });
  }
  if (!product.active)
    throw creditsErrors.error('product_not_sold', `${product.name} is no longer sold`, {
      product_id: product.id,
    });
  return product;
}

/**
 * The reseller's shop a checkout is taken on: its products are the only ones on sale there, and when
 * it has a database of its own (`database`), the purchase is made there (`tenant-purchases.ts`).
 */
export interface CheckoutShop {
  ownerUserId: string;
  database: Db | null;
}

export interface CheckoutInput {
  email: string;
  name?: string;
  authorization: AuthorizationInput;
}

/**
 * Takes a buyer's authorization of the product's price: checked as the chain would take it, for
 * exactly the price, recorded and its submission queued in one transaction. Sending the same
 * authorization again answers the same checkout; the purchase comes when the chain confirms it.
 *
 * The offer is read where the shop's products are (the work in progress's database), but the
 * checkout and its queued submission are always written to Tally's own: the chain's sender and
 * follower run there, and a shop on its own database would hide them from both.
 */
export async function startCheckout(
  deps: CreditsDeps,
  actor: Actor,
  productId: string,
  input: CheckoutInput,
  shop?: CheckoutShop,
): Promise<{ checkout: Checkout; replayed: boolean }> {
  const offer = await checkoutOffer(deps, productId, shop?.ownerUserId);
  if (offer.unavailable || offer.value === null || !deps.chain)
    throw creditsErrors.error('checkout_unavailable', offer.unavailable ?? 'the checkout is off', {
      product_id: productId,
    });
  const chain = deps.chain;
  const email = normalizeEmail(input.email);
  const malformed = nonceRefusal(input.authorization.nonce);
  if (malformed) throw authorizationError(malformed);
  const { from, nonce } = authorizationKey(input.authorization);
  const existing = await findCheckout(deps.ownDb, from, nonce);
  if (existing)
    return { checkout: sameCheckout(existing, productId, email, input.authorization), replayed: true };
  if (input.authorization.value !== offer.value)
    throw creditsErrors.error(
      'checkout_amount',
      `${offer.product.name} costs ${offer.value} micro-USDC; the authorization is for ${input.authorization.value}`,
      { field: 'authorization.value', price: offer.value.toString() },
    );
  const checked = await checkAuthorization(chain, deps.clock.now(), input.authorization);
  if (!checked.ok) throw authorizationError(checked);

  return deps.ownDb.transaction(async (tx) => {
    const at = deps.clock.now();
    const id = newId();
    const [made] = await tx
      .insert(checkouts)
      .values({
        id,
        productId,
        email,
        name: input.name?.trim() ?? '',
        priceMinor: offer.price.amountMinor,
        priceCurrency: offer.price.currency,
        value: offer.value!,
        kind: input.authorization.kind,
        fromAddress: from,
        nonce,
        validAfter: input.authorization.validAfter,
        validBefore: input.authorization.validBefore,
        signature: checked.signature,
        state: 'awaiting_payment',
        tenantUserId: shop?.database ? shop.ownerUserId : null,
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoNothing()
      .returning();
    // Another request with the same authorization committed first: its checkout is this one.
    if (!made) {
      const first = (await findCheckout(tx, from, nonce))!;
      return { checkout: sameCheckout(first, productId, email, input.authorization), replayed: true };
    }
    const queued = await queueTransaction(tx, deps.clock, {
      chainId: chain.client.chainId,
      from: chain.treasury.address,
      to: checked.to,
      data: checked.data,
      gasLimit: checked.gasLimit,
      purpose: CHECKOUT_PURPOSE,
      idempotencyKey: `${CHECKOUT_PURPOSE}:${from}:${nonce}`,
      metadata: { checkout_id: id },
    });
    const [checkout] = await tx
      .update(checkouts)
      .set({ transactionId: queued.id })
      .where(eq(checkouts.id, id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.checkout_started',
      objectType: 'credits_checkout',
      objectId: id,
      details: {
        product_id: productId,
        from,
        value: offer.value!.toString(),
        transaction_id: queued.id,
        tenant_user_id: shop?.database ? shop.ownerUserId : null,
      },
    });
    return { checkout: checkout!, replayed: false };
  });
}

async function findCheckout(db: Db, from: string, nonce: string): Promise<Checkout | undefined> {
  const [found] = await db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.fromAddress, from), eq(checkouts.nonce, nonce)));
  return found;
}

/** The checkout a repeated authorization names, if it is the same request. */
function sameCheckout(
  existing: Checkout,
  productId: string,
  email: string,
  input: AuthorizationInput,
): Checkout {
  if (existing.productId !== productId || existing.email !== email || !sameAuthorization(existing, input))
    throw chainErrors.error('authorization_used', 'this authorization was sent to Tally already');
  return existing;
}

/**
 * A checkout by its id, from Tally's database where every checkout is: the id is the buyer's
 * receipt, so whoever holds it may read it.
 */
export async function getCheckout(deps: Pick<CreditsDeps, 'ownDb'>, id: string): Promise<Checkout> {
  if (!isUuid(id)) throw notFound('checkout', { id });
  const [checkout] = await deps.ownDb.select().from(checkouts).where(eq(checkouts.id, id));
  if (!checkout) throw notFound('checkout', { id });
  return checkout;
}

export interface CheckoutFilter extends PageRequest {
  state?: CheckoutState;
  /** Paid, and its purchase not made yet: a shop's float too low, or its database away. */
  waiting?: boolean;
}

/**
 * Every checkout, newest first, for administrators: a payment that did not go through, or one paid
 * whose purchase waits (for a shop's float), is where a buyer's support question starts.
 */
export async function listCheckouts(
  deps: Pick<CreditsDeps, 'ownDb'>,
  actor: Actor,
  filter: CheckoutFilter = {},
): Promise<Page<Checkout>> {
  if (!actor.isAdmin) throw new AppError('forbidden', 'only administrators list checkouts');
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const rows = await deps.ownDb
    .select()
    .from(checkouts)
    .where(
      and(
        filter.state ? eq(checkouts.state, filter.state) : undefined,
        filter.waiting ? and(eq(checkouts.state, 'paid'), isNull(checkouts.purchaseId)) : undefined,
        before ? lt(checkouts.id, before) : undefined,
      ),
    )
    .orderBy(desc(checkouts.id))
    .limit(limit + 1);
  return pageOf(rows, limit, (row) => ({ id: row.id }));
}

/**
 * What the checkout does with its authorizations' events (the chain rail reads them,
 * `authorizationWatchers`). Used and confirmed: the purchase is made and the USDC booked, under ids
 * derived from the event, once per event, whoever submitted it. A checkout of a shop on its own
 * database is only booked and marked paid here: its purchase is made in that database, which this
 * transaction of Tally's must not write, by `purchaseTenantCheckouts`. The purchase cannot be taken back
 * (credits granted, login details mailed): a reorg deeper than the confirmations that takes the
 * payment back reverses the booking, marks the checkout `reversed` and leaves the purchase for
 * administrators to decide on. Cancelled by the payer before use: the checkout fails.
 */
export function checkoutAuthorizations(deps: CreditsDeps): AuthorizationHandler {
  const byAuthorization = (event: AuthorizationEvent) =>
    and(
      eq(checkouts.fromAddress, event.args.authorizer.toLowerCase()),
      eq(checkouts.nonce, event.args.nonce.toLowerCase()),
    );
  return {
    async used(tx, event) {
      const [checkout] = await tx.select().from(checkouts).where(byAuthorization(event)).for('update');
      if (!checkout) return false;
      await book(
        tx,
        deps.clock,
        derivedUuid(event.id, 'sale'),
        CHECKOUT_ACCOUNTS.onchain,
        CHECKOUT_ACCOUNTS.sales,
        checkout,
      );
      const purchase = checkout.tenantUserId
        ? null
        : (await recordPurchase(tx, deps, systemActor, checkoutPurchase(checkout))).purchase;
      await tx
        .update(checkouts)
        .set({
          state: 'paid',
          paidEventId: event.id,
          purchaseId: purchase?.id ?? null,
          failure: null,
          updatedAt: deps.clock.now(),
        })
        .where(eq(checkouts.id, checkout.id));
      return true;
    },
    async usedOrphaned(tx, event) {
      const [checkout] = await tx
        .select()
        .from(checkouts)
        .where(eq(checkouts.paidEventId, event.id))
        .for('update');
      if (!checkout) return false;
      await book(
        tx,
        deps.clock,
        derivedUuid(event.id, 'sale_reversal'),
        CHECKOUT_ACCOUNTS.sales,
        CHECKOUT_ACCOUNTS.onchain,
        checkout,
      );
      await tx
        .update(checkouts)
        .set({
          state: 'reversed',
          paidEventId: null,
          failure: 'a chain reorganisation took the payment back after it was confirmed; the purchase stands',
          updatedAt: deps.clock.now(),
        })
        .where(eq(checkouts.id, checkout.id));
      await recordAudit(tx, deps.clock, systemActor, {
        action: 'credits.checkout_reversed',
        objectType: 'credits_checkout',
        objectId: checkout.id,
        details: { purchase_id: checkout.purchaseId, event_id: event.id },
      });
      return true;
    },
    async canceled(tx, event) {
      const failed = await tx
        .update(checkouts)
        .set({
          state: 'failed',
          failure: 'the payer cancelled the authorization on chain',
          updatedAt: deps.clock.now(),
        })
        .where(and(byAuthorization(event), eq(checkouts.state, 'awaiting_payment')))
        .returning({ id: checkouts.id });
      return failed.length > 0;
    },
    async canceledOrphaned(tx, event) {
      const waiting = await tx
        .update(checkouts)
        .set({ state: 'awaiting_payment', failure: null, updatedAt: deps.clock.now() })
        .where(and(byAuthorization(event), eq(checkouts.state, 'failed')))
        .returning({ id: checkouts.id });
      return waiting.length > 0;
    },
  };
}

/** The purchase a paid checkout makes, as a webhook's order would: the checkout's id is its order id. */
export const checkoutPurchase = (checkout: Checkout): PurchaseInput => ({
  source: 'checkout',
  integrationId: null,
  orderId: checkout.id,
  email: checkout.email,
  productId: checkout.productId,
  name: checkout.name || undefined,
  amountPaid: { amountMinor: checkout.priceMinor, currency: checkout.priceCurrency },
  details: { checkout_id: checkout.id, from: checkout.fromAddress, value: checkout.value.toString() },
});

async function book(tx: Db, clock: Clock, id: string, debit: string, credit: string, checkout: Checkout) {
  const [outcome] = await applyTransfers(
    tx,
    [
      {
        id,
        debitAccountId: debit,
        creditAccountId: credit,
        amount: checkout.value,
        ledger: USDC_LEDGER,
        code: 'credits_checkout',
        metadata: { checkout_id: checkout.id },
      },
    ],
    { clock },
  );
  if (!outcome || !isSuccess(outcome.result))
    throw new Error(`credits checkout ${checkout.id}: the ledger answered ${outcome?.result ?? 'nothing'}`);
}

/** The treasury's submission of a checkout's payment settled: refused or replaced fails a checkout still waiting. */
export const checkoutSettlement = (
  deps: Pick<CreditsDeps, 'ownDb' | 'clock'>,
  chain: ChainRuntime,
): Flow<Settlement> =>
  authorizationSettlement(
    chain,
    {
      name: 'credits.settle_checkout',
      async find(db, transactionId) {
        const [checkout] = await db
          .select()
          .from(checkouts)
          .where(eq(checkouts.transactionId, transactionId));
        return checkout ? { from: checkout.fromAddress, nonce: checkout.nonce } : null;
      },
      async fail(tx, transactionId, reason) {
        await tx
          .update(checkouts)
          .set({ state: 'failed', failure: reason, updatedAt: deps.clock.now() })
          .where(and(eq(checkouts.transactionId, transactionId), eq(checkouts.state, 'awaiting_payment')));
      },
    },
    deps.ownDb,
  );
