import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { invitations, memberships, organizations } from '../../core/access/schema';
import { auditLog } from '../../core/audit/schema';
import { apiKeys, authTokens, sessions, users, wallets } from '../../core/auth/schema';
import { type Db, queryRows } from '../../core/database';
import { mailMessages } from '../../core/mail/schema';
import { notificationSettings, notifications } from '../../core/notifications/schema';
import {
  customers,
  grants,
  holdings,
  products,
  purchases,
  reservations,
  usages,
  workspaces,
} from '../schema';

/**
 * What a reseller's shop is, row by row, wherever it lives: its people (`people`: its customers,
 * never the reseller, whose account Tally's database keeps), what they signed in with, their
 * workspaces, mail and audit trail, and the credits line's records of them; and the shop's own
 * products. The credits themselves are not rows: they move through both ledgers (move.ts).
 *
 * The tables are listed in the order their references need, so each row's parents are there first.
 */

export interface ShopScope {
  reseller: string;
  people: readonly string[];
}

interface ShopTable {
  table: PgTable;
  rows(scope: ShopScope): SQL;
}

const anyOf = (people: readonly string[]) => sql`ANY(${sql.param([...people])}::uuid[])`;
const ofPeople = (scope: ShopScope) => sql`t.user_id = ${anyOf(scope.people)}`;

/** The shop's people's workspaces: billed to one of them and made by one of them (or by nobody). */
const shopOrganizations = (scope: ShopScope) =>
  sql`SELECT o.id FROM core_organizations o JOIN credits_workspaces w ON w.organization_id = o.id
      WHERE w.billing_user_id = ${anyOf(scope.people)}
        AND (o.created_by IS NULL OR o.created_by = ${anyOf(scope.people)})`;

export const SHOP_TABLES: readonly ShopTable[] = [
  { table: users, rows: (scope) => sql`t.id = ${anyOf(scope.people)}` },
  { table: wallets, rows: ofPeople },
  { table: sessions, rows: ofPeople },
  { table: apiKeys, rows: ofPeople },
  // A temporary password's link not yet followed must still open on the shop's domain.
  { table: authTokens, rows: ofPeople },
  { table: notifications, rows: ofPeople },
  { table: notificationSettings, rows: ofPeople },
  { table: organizations, rows: (scope) => sql`t.id IN (${shopOrganizations(scope)})` },
  {
    table: memberships,
    rows: (scope) =>
      sql`t.user_id = ${anyOf(scope.people)} AND t.organization_id IN (${shopOrganizations(scope)})`,
  },
  {
    table: invitations,
    rows: (scope) =>
      sql`t.organization_id IN (${shopOrganizations(scope)}) AND t.invited_by = ${anyOf(scope.people)}
          AND (t.accepted_by IS NULL OR t.accepted_by = ${anyOf(scope.people)})`,
  },
  // Mail still queued is delivered from where it was written; what was sent is the shop's record.
  { table: mailMessages, rows: (scope) => sql`t.user_id = ${anyOf(scope.people)} AND t.state <> 'queued'` },
  { table: auditLog, rows: (scope) => sql`t.actor_user_id = ${anyOf(scope.people)}` },
  { table: customers, rows: ofPeople },
  { table: products, rows: (scope) => sql`t.owner_user_id = ${scope.reseller}` },
  { table: workspaces, rows: (scope) => sql`t.organization_id IN (${shopOrganizations(scope)})` },
  { table: purchases, rows: ofPeople },
  { table: holdings, rows: ofPeople },
  { table: grants, rows: ofPeople },
  { table: reservations, rows: ofPeople },
  { table: usages, rows: ofPeople },
];

const PAGE = 500;

/**
 * Copies the shop's rows from one database into the other; returns how many rows of each table.
 * A row already there is overwritten with this one, so running it again after a crash (or moving a
 * shop back to where an older copy of it lies) leaves the destination as the source is. Rows pass
 * as JSON text from one server to the other and are never parsed on the way: amounts stay exact.
 */
export async function copyShopRows(from: Db, to: Db, scope: ShopScope): Promise<Record<string, number>> {
  const copied: Record<string, number> = {};
  for (const spec of SHOP_TABLES) {
    copied[getTableConfig(spec.table).name] = await copyRows(from, to, spec.table, spec.rows(scope));
  }
  return copied;
}

/** Copies the rows of `table` that `rows` selects (over the alias `t`), as `copyShopRows` does; returns how many. */
export async function copyRows(from: Db, to: Db, table: PgTable, rows: SQL): Promise<number> {
  const { name, columns, primaryKeys } = getTableConfig(table);
  const keys =
    primaryKeys[0]?.columns.map((c) => c.name) ?? columns.filter((c) => c.primary).map((c) => c.name);
  const order = sql.join(
    keys.map((key) => sql`t.${sql.identifier(key)}`),
    sql`, `,
  );
  const names = columns.map((c) => c.name);
  const list = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  );
  const others = names.filter((n) => !keys.includes(n));
  const onConflict =
    others.length === 0
      ? sql`DO NOTHING`
      : sql`DO UPDATE SET ${sql.join(
          others.map((n) => sql`${sql.identifier(n)} = EXCLUDED.${sql.identifier(n)}`),
          sql`, `,
        )}`;
  let count = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await queryRows<{ row: string }>(
      from,
      sql`SELECT to_jsonb(t)::text AS row FROM ${sql.identifier(name)} t WHERE ${rows}
          ORDER BY ${order} LIMIT ${PAGE} OFFSET ${offset}`,
    );
    if (page.length === 0) break;
    await to.execute(
      sql`INSERT INTO ${sql.identifier(name)} (${list})
          SELECT ${list} FROM jsonb_populate_recordset(NULL::${sql.identifier(name)}, ${`[${page.map((p) => p.row).join(',')}]`}::jsonb)
          ON CONFLICT (${sql.join(
            keys.map((k) => sql.identifier(k)),
            sql`, `,
          )}) ${onConflict}`,
    );
    count += page.length;
    if (page.length < PAGE) break;
  }
  return count;
}
