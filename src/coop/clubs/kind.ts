import { sql } from 'drizzle-orm';
import { defineOrganizationKind } from '../../core/access/roles';
import { queryRows } from '../../core/database';
import { coopErrors } from '../errors';

export const CLUB_KIND = 'club';

/** What the club's roles allow, beyond the core's (seed 002, "Roles"). */
export const CLUB_PERMISSIONS = {
  /** Edit and delete households, add and remove their members. */
  households: 'coop.households.manage',
  /** Edit any producer and its products, change its liaison. */
  producers: 'coop.producers.manage',
  /** Create, open and close orders. */
  orders: 'coop.orders.manage',
  /** Mark household payments received, upload producers' invoices and mark them paid. */
  books: 'coop.books.keep',
  /** Change the club's own settings (how households admit people). */
  settings: 'coop.club.settings',
} as const;

/**
 * A buyers club. Its creator is its owner, shown as the club's Admin: an owner holds every
 * permission of the kind, so "every role at first". The admin names order managers and the
 * bookkeeper through the core's member roles; each person holds one role, and the admin holds all.
 */
export const clubKind = defineOrganizationKind({
  kind: CLUB_KIND,
  label: 'Buyers club',
  roles: {
    // The admin's own permissions; an owner (and a co-admin) holds every permission of the kind.
    owner: {
      label: 'Admin',
      permissions: [CLUB_PERMISSIONS.households, CLUB_PERMISSIONS.producers, CLUB_PERMISSIONS.settings],
    },
    admin: { label: 'Co-admin' },
    member: { label: 'Member' },
    order_manager: { label: 'Order manager', permissions: [CLUB_PERMISSIONS.orders] },
    bookkeeper: { label: 'Bookkeeper', permissions: [CLUB_PERMISSIONS.books] },
  },
  // Made through POST /api/coop/clubs, which sets the club's own record up with it.
  selfService: false,
  createdByLine: true,
  // A person leaves their household before the club: a household's orders and bills need its people.
  beforeRemove: async (tx, clubId, userId) => {
    const [row] = await queryRows<{ household_id: string }>(
      tx,
      sql`SELECT household_id FROM coop_household_members WHERE club_id = ${clubId} AND user_id = ${userId}`,
    );
    if (row) {
      throw coopErrors.error('in_a_household', 'they are in a household of this club: they leave it first', {
        household_id: row.household_id,
      });
    }
  },
});
