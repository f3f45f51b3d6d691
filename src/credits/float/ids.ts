import { derivedId } from '../engine/ledger';

/**
 * The float's names on the credits ledger. Every id derives from a top-up's id, so each database
 * finds what an earlier try did: Tally's ledger and the tenant's carry the same transfer id.
 */

/** What a float transfer is for (the ledger's `code`), on both sides. */
export const FLOAT_TRANSFER_CODE = 'float';

/** The reseller's float account on Tally's ledger: its credits are every credit moved out to its database. */
export const floatAccountId = (resellerUserId: string): string =>
  derivedId('account', 'float', resellerUserId);

/**
 * Where a tenant's float grants are credited from, in the tenant's own ledger: its debits are every
 * credit that arrived. One per tenant database, so the same id everywhere.
 */
export const FLOAT_IN_ACCOUNT = derivedId('account', 'float_in');

/**
 * The transfer of a top-up: on Tally's ledger the first of the `spend` out of the reseller's grants
 * (the others derive from it), in the tenant's the one transfer into the float grant.
 */
export const topUpTransferId = (topUpId: string): string => derivedId('float_top_up', topUpId);

/** The grant a top-up makes in the tenant's database (its ledger account has the same id). */
export const floatGrantId = (topUpId: string): string => derivedId('float_grant', topUpId);

/** A top-up asked for with an Idempotency-Key: the same key names the same top-up, even after a crash. */
export const topUpIdFromKey = (resellerUserId: string, key: string): string =>
  derivedId('float_top_up_key', resellerUserId, key);
