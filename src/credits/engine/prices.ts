import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, parseTimestamp, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { optionalText } from './inputs';

/**
 * What each action costs in credits (seed §3: "every action in the application would be credit
 * based"). The built-in ones are Tally's own actions and are always there; an administrator sets
 * their price and adds the host application's actions beside them.
 */
export const BUILT_IN_ACTIONS = {
  create_workspace: { label: 'Create a workspace', price: 10n },
  invite_member: { label: 'Invite a member to a workspace', price: 1n },
  create_under_whitelabel_product: { label: 'Create an under-whitelabel product', price: 5n },
} as const satisfies Record<string, { label: string; price: bigint }>;

export type BuiltInAction = keyof typeof BUILT_IN_ACTIONS;

export interface ActionPrice {
  action: string;
  label: string;
  price: bigint;
  builtIn: boolean;
  updatedAt: Date;
}

export const ACTION_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;

/** Adds the built-in actions that are missing, at their default prices; prices already set stay. */
export async function ensureBuiltInActions(db: Db, clock: Clock): Promise<void> {
  const entries = Object.entries(BUILT_IN_ACTIONS);
  await db.execute(
    sql`INSERT INTO credits_action_prices (action, label, price, built_in, updated_at)
        SELECT action, label, price, TRUE, ${clock.now()}
        FROM unnest(${sql.param(entries.map(([action]) => action))}::text[],
          ${sql.param(entries.map(([, a]) => a.label))}::text[],
          ${sql.param(entries.map(([, a]) => a.price.toString()))}::numeric[]) AS u(action, label, price)
        ON CONFLICT (action) DO NOTHING`,
  );
}

/** The price of an action; not_found for an action nobody has priced. */
export async function getActionPrice(db: Db, action: string): Promise<bigint> {
  const [row] = await queryRows<{ price: string }>(
    db,
    sql`SELECT price::text FROM credits_action_prices WHERE action = ${action}`,
  );
  if (!row) throw notFound('action', { action });
  return BigInt(row.price);
}

export interface SetActionPriceInput {
  action: string;
  /** Required for a new action; kept when omitted for an existing one. */
  label?: string | null;
  price: bigint;
}

/** Sets an action's price (0 makes it free), adding the action if it is new. */
export async function setActionPrice(tx: Db, clock: Clock, input: SetActionPriceInput): Promise<ActionPrice> {
  if (!ACTION_NAME.test(input.action)) {
    throw new AppError(
      'validation_failed',
      'action must start with a-z and use a-z, 0-9, _ . : - (up to 64)',
      {
        field: 'action',
      },
    );
  }
  if (typeof input.price !== 'bigint' || input.price < 0n) {
    throw new AppError('validation_failed', 'price must be a whole number of credits, 0 or more', {
      field: 'price',
    });
  }
  const label = optionalText(input.label, 'label', 200);
  if (label === null) {
    const known = await queryRows(
      tx,
      sql`SELECT 1 FROM credits_action_prices WHERE action = ${input.action}`,
    );
    if (known.length === 0)
      throw new AppError('validation_failed', 'a new action needs a label', { field: 'label' });
  }
  const now = clock.now();
  const [row] = await queryRows<ActionPriceRow>(
    tx,
    sql`INSERT INTO credits_action_prices (action, label, price, built_in, updated_at)
        VALUES (${input.action}, ${label ?? ''}, ${input.price.toString()}, FALSE, ${now})
        ON CONFLICT (action) DO UPDATE SET price = EXCLUDED.price, updated_at = EXCLUDED.updated_at,
          label = coalesce(${label}::text, credits_action_prices.label)
        RETURNING ${priceColumns}`,
  );
  if (!row) throw new AppError('internal', 'the action price was not stored');
  return toActionPrice(row);
}

/** Every priced action, built-in ones first. */
export async function listActionPrices(db: Db): Promise<ActionPrice[]> {
  const rows = await queryRows<ActionPriceRow>(
    db,
    sql`SELECT ${priceColumns} FROM credits_action_prices ORDER BY built_in DESC, action`,
  );
  return rows.map(toActionPrice);
}

interface ActionPriceRow {
  action: string;
  label: string;
  price: string;
  built_in: boolean;
  updated_at: string;
}

const priceColumns = sql.raw('action, label, price::text, built_in, updated_at::text');

const toActionPrice = (row: ActionPriceRow): ActionPrice => ({
  action: row.action,
  label: row.label,
  price: BigInt(row.price),
  builtIn: row.built_in,
  updatedAt: parseTimestamp(row.updated_at),
});
