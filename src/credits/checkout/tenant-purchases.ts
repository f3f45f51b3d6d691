import { and, eq, isNull, sql } from 'drizzle-orm';
import { systemActor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { backoffMs, type JobRunner } from '../../core/jobs';
import { redactText } from '../../core/log';
import { notify } from '../../core/notifications/service';
import { withDatabase } from '../../core/request-database';
import type { CreditsDeps } from '../deps';
import { type FloatDeps, openTenantOf } from '../float/top-ups';
import { type Purchase, recordPurchase } from '../purchases/service';
import { checkouts } from '../schema';
import { prepareTenantDatabase } from '../tenant-databases/tenancy';
import { CHECKOUT_NOTIFICATIONS } from './notifications';
import { type Checkout, checkoutPurchase } from './service';

/**
 * The purchase of a checkout taken on a shop with its own database: a flow of three steps across
 * two databases, none inside the other's transaction (DESIGN.md, "Flows that reach outside"):
 *
 * 1. claim the paid checkout on Tally's database (a lease, in a short transaction of its own);
 * 2. make the purchase in the reseller's database, in one transaction of it, with the checkout's id
 *    as the order id: a second try finds that order there and answers the same purchase;
 * 3. record the purchase's id on Tally's checkout.
 *
 * A crash after 2 leaves the checkout without its purchase id until the lease ends; the next try
 * finds the purchase made and only records it. The buyer's payment is booked on Tally's database
 * before any of this (`checkoutAuthorizations`), so a purchase that cannot be made yet never loses
 * it: a float too low for the product's credits is said on the checkout, told to the reseller once
 * and tried again until the reseller tops it up.
 */

export const TENANT_CHECKOUT_PURCHASES_JOB = 'credits.tenant_checkout_purchases';

/** What the buyer reads while the reseller's float is short; `paid` stays, the payment is kept. */
export const WAITING_FOR_FLOAT =
  'the shop is restocking its credits; your purchase is made as soon as it has';

/** How long a process holds a checkout whose purchase it makes before another may take it over. */
export const PURCHASE_LEASE_MS = 60_000;
/**
 * A purchase waiting for the float is tried at least this often: a top-up may come at any moment,
 * and the buyer who paid should not wait the hour a broken database's backoff grows to.
 */
const FLOAT_RETRY_MAX_MS = 30_000;
const BATCH = 20;

export interface TenantPurchaseDeps {
  /** The credits services `recordPurchase` runs with; their scoped `db` answers for the tenant's. */
  credits: CreditsDeps;
  /** Tally's own database, the resellers' databases, the log and the notifier, as the float has them. */
  float: FloatDeps;
}

export interface TenantPurchaseOptions {
  /** Called when the tenant's transaction has committed, before Tally's checkout is marked: a test crashes here. */
  afterTenantCommit?(checkout: Checkout): void | Promise<void>;
}

export interface TenantPurchaseRun {
  made: number;
  /** Purchases the reseller's float does not cover yet. */
  waiting: number;
  /** Tries that failed otherwise (logged), each tried again after a backoff. */
  failed: number;
}

/** The job runs on Tally's database alone (never `tenants`): it opens each tenant's database itself. */
export function registerTenantCheckoutPurchases(jobs: JobRunner, deps: TenantPurchaseDeps): void {
  jobs.every(TENANT_CHECKOUT_PURCHASES_JOB, 2_000, () => purchaseTenantCheckouts(deps));
}

export async function purchaseTenantCheckouts(
  deps: TenantPurchaseDeps,
  options: TenantPurchaseOptions = {},
): Promise<TenantPurchaseRun> {
  const run: TenantPurchaseRun = { made: 0, waiting: 0, failed: 0 };
  for (const checkout of await claimTenantCheckouts(deps)) {
    try {
      const purchase = await purchaseInTenant(deps, checkout);
      await options.afterTenantCommit?.(checkout);
      await markPurchased(deps, checkout, purchase);
      run.made += 1;
    } catch (error) {
      if (error instanceof AppError && error.code === 'insufficient_funds') {
        run.waiting += 1;
        await waitForFloat(deps, checkout);
      } else {
        run.failed += 1;
        await tryAgainLater(deps, checkout, error);
      }
    }
  }
  return run;
}

/**
 * Takes the paid tenant checkouts without a purchase that nobody holds, each with a lease, skipping
 * rows another process is taking at this moment.
 */
async function claimTenantCheckouts(deps: TenantPurchaseDeps): Promise<Checkout[]> {
  const { db, clock } = deps.float;
  const now = clock.now();
  return db.transaction(async (tx) => {
    const due = await queryRows<{ id: string }>(
      tx,
      sql`SELECT id FROM credits_checkouts
          WHERE tenant_user_id IS NOT NULL AND purchase_id IS NULL AND state = 'paid'
            AND (purchase_due_at IS NULL OR purchase_due_at <= ${now})
          ORDER BY updated_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
    );
    if (due.length === 0) return [];
    return tx
      .update(checkouts)
      .set({ purchaseDueAt: new Date(now.getTime() + PURCHASE_LEASE_MS) })
      .where(sql`${checkouts.id} = ANY(${sql.param(due.map((d) => d.id))}::uuid[])`)
      .returning();
  });
}

/**
 * The tenant's step: the reseller's database opened and prepared (its account and holdings copied
 * in), then the purchase made there in one of its transactions, its grant drawn from the reseller's
 * float. Made already (a crash before Tally's side was marked): the same purchase is answered.
 */
export async function purchaseInTenant(deps: TenantPurchaseDeps, checkout: Checkout): Promise<Purchase> {
  const resellerUserId = checkout.tenantUserId;
  if (!resellerUserId) throw new Error(`credits checkout ${checkout.id} is not a tenant's`);
  const tenant = await openTenantOf(deps.float, resellerUserId);
  await prepareTenantDatabase({ ownDb: deps.float.db, clock: deps.float.clock }, tenant.db, resellerUserId);
  const { purchase } = await withDatabase(tenant.db, () =>
    tenant.db.transaction((tx) => recordPurchase(tx, deps.credits, systemActor, checkoutPurchase(checkout))),
  );
  return purchase;
}

async function markPurchased(deps: TenantPurchaseDeps, checkout: Checkout, purchase: Purchase) {
  await deps.float.db
    .update(checkouts)
    .set({ purchaseId: purchase.id, failure: null, purchaseDueAt: null, updatedAt: deps.float.clock.now() })
    .where(and(eq(checkouts.id, checkout.id), isNull(checkouts.purchaseId)));
}

/**
 * The float does not cover the product's credits: the checkout says so to the buyer, and the
 * reseller is told once (administrators read it in the audit log), in one transaction of Tally's.
 */
async function waitForFloat(deps: TenantPurchaseDeps, checkout: Checkout): Promise<void> {
  const { db, clock, notifier } = deps.float;
  const attempts = checkout.purchaseAttempts + 1;
  await db.transaction(async (tx) => {
    const now = clock.now();
    await tx
      .update(checkouts)
      .set({
        failure: WAITING_FOR_FLOAT,
        purchaseAttempts: attempts,
        purchaseDueAt: new Date(now.getTime() + Math.min(backoffMs(attempts), FLOAT_RETRY_MAX_MS)),
        updatedAt: now,
      })
      .where(and(eq(checkouts.id, checkout.id), isNull(checkouts.purchaseId)));
    const told = await tx
      .update(checkouts)
      .set({ floatShortNotifiedAt: now })
      .where(and(eq(checkouts.id, checkout.id), isNull(checkouts.floatShortNotifiedAt)))
      .returning({ id: checkouts.id });
    if (told.length === 0) return;
    await notify(tx, notifier, {
      userId: checkout.tenantUserId!,
      type: CHECKOUT_NOTIFICATIONS.waitingForFloat,
      title: 'A buyer paid in your shop, and your float does not cover their credits',
      body:
        `${checkout.email} paid for a purchase in your shop, and your float is too low for its ` +
        'credits. Their payment is kept: top up your float and the purchase is made at once.',
      link: '/credits/reseller/float',
      data: { checkoutId: checkout.id, productId: checkout.productId },
    });
    await recordAudit(tx, clock, systemActor, {
      action: 'credits.checkout_waiting_for_float',
      objectType: 'credits_checkout',
      objectId: checkout.id,
      details: { tenant_user_id: checkout.tenantUserId, product_id: checkout.productId },
    });
  });
}

/** Any other failure (the tenant's database away, say): logged, and tried again after a backoff. */
async function tryAgainLater(deps: TenantPurchaseDeps, checkout: Checkout, error: unknown) {
  const { db, clock, log } = deps.float;
  const message = redactText(error instanceof Error ? error.message : String(error));
  log.warn({ checkoutId: checkout.id, err: message }, 'a tenant checkout’s purchase could not be made yet');
  const attempts = checkout.purchaseAttempts + 1;
  await db
    .update(checkouts)
    .set({
      purchaseAttempts: attempts,
      purchaseDueAt: new Date(clock.now().getTime() + backoffMs(attempts)),
    })
    .where(and(eq(checkouts.id, checkout.id), isNull(checkouts.purchaseId)));
}
