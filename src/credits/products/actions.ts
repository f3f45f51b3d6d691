import { eq, sql } from 'drizzle-orm';
import { type Actor, requireAdmin } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { users } from '../../core/auth/schema';
import { type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import type { CreditsDeps } from '../deps';
import { listActionPrices, setActionPrice } from '../engine/prices';
import { creditsErrors } from '../errors';

/**
 * Actions are what credits pay for (seed §3): the built-in ones Tally itself charges, and any key an
 * administrator prices for the host application (`generate_image`, `generate_post`…). A product's
 * permissions are action keys: a person may take the actions their products grant.
 */
export const ACTIONS = {
  createWorkspace: 'create_workspace',
  inviteMember: 'invite_member',
  createUnderWhitelabelProduct: 'create_under_whitelabel_product',
} as const;

/** The actions a person may take: every permission of the products of their active holdings. */
export async function heldPermissions(db: Db, userId: string): Promise<string[]> {
  const rows = await queryRows<{ permission: string }>(
    db,
    sql`SELECT DISTINCT jsonb_array_elements_text(p.permissions) AS permission
        FROM credits_holdings h JOIN credits_products p ON p.id = h.product_id
        WHERE h.user_id = ${userId} AND h.active
        ORDER BY permission`,
  );
  return rows.map((row) => row.permission);
}

async function isAdministrator(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select({ isAdmin: users.isAdmin }).from(users).where(eq(users.id, userId));
  return row?.isAdmin ?? false;
}

/**
 * Refuses an action the person's products do not grant (403, naming the action). Administrators
 * hold every action.
 */
export async function requireActionAllowed(db: Db, userId: string, action: string): Promise<void> {
  if (await isAdministrator(db, userId)) return;
  const held = await heldPermissions(db, userId);
  if (!held.includes(action)) {
    throw creditsErrors.error(
      'action_not_in_products',
      `your products do not include the "${action}" action`,
      {
        action,
        held,
      },
    );
  }
}

/**
 * Sets an action's price (administrators). A built-in action keeps its key; a new key becomes an
 * action products may grant and the host application may charge.
 */
export async function priceAction(
  { db, clock }: CreditsDeps,
  actor: Actor,
  input: { action: string; label?: string; price: bigint },
) {
  requireAdmin(actor);
  return db.transaction(async (tx) => {
    const price = await setActionPrice(tx, clock, input);
    await recordAudit(tx, clock, actor, {
      action: 'credits.action_price.set',
      objectType: 'credits_action',
      objectId: null,
      details: { action: input.action, label: input.label ?? null, price: input.price.toString() },
    });
    return price;
  });
}

/** Every priced action: people see what their actions cost, the host application what to charge. */
export async function readActionPrices({ db }: CreditsDeps, actor: Actor) {
  if (!actor.userId && !actor.isAdmin) throw new AppError('unauthorized', 'sign in first');
  return listActionPrices(db);
}
