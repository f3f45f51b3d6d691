import { eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { users } from '../../core/auth/schema';
import { type Db, pgErrorCode, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { storePhoto } from '../../core/files/photos';
import { files } from '../../core/files/schema';
import type { FileDeps } from '../../core/files/service';
import { isUuid } from '../../core/ids';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { customers, whitelabels } from '../schema';

/**
 * A whitelabel reseller's brand: the name, logo and two colours its customers see instead of
 * Tally's, on its own domain and in the mail they get. The brand lives on the reseller's
 * `credits_whitelabels` row, so a reseller sets its domain first: a brand names what a domain serves.
 */

export type BrandingDeps = CreditsDeps & { files: FileDeps };

type Whitelabel = typeof whitelabels.$inferSelect;

export interface Branding {
  whitelabelId: string;
  userId: string;
  domain: string;
  domainStatus: Whitelabel['status'];
  /** What the reseller chose; null: its own name. */
  brandName: string | null;
  /** The name shown: the brand name, else the reseller's own name, else its domain. */
  name: string;
  logoFileId: string | null;
  primaryColor: string | null;
  accentColor: string | null;
  updatedAt: Date;
}

export const BRAND_NAME_MAX = 80;

/**
 * The contrast both colours must reach: WCAG 2.1 AA for normal text (SC 1.4.3). The primary colour
 * is the background of buttons and the header under white text; the accent colours links and
 * highlights on the white page. Either way text is read against it.
 */
export const MIN_CONTRAST = 4.5;

/** The relative luminance of an sRGB colour, WCAG 2.1's definition. */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The contrast ratio of a `#rrggbb` colour with white, from 1 (white itself) to 21 (black). */
export const contrastWithWhite = (hex: string): number => 1.05 / (luminance(hex) + 0.05);

const COLOR_FIELDS = {
  primary_color: 'white text on buttons and the header',
  accent_color: 'links on the white page',
} as const;

/** A colour as typed (`#1C7ED6`), checked and lower-cased; the field is named in the refusal. */
export function normalizeColor(field: keyof typeof COLOR_FIELDS, value: string): string {
  const color = value.trim().toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(color)) {
    throw new AppError('validation_failed', `${field}: "${value}" is not a colour of the form #rrggbb`, {
      field,
    });
  }
  const ratio = contrastWithWhite(color);
  if (ratio < MIN_CONTRAST) {
    throw new AppError(
      'validation_failed',
      `${field}: ${color} is too light for ${COLOR_FIELDS[field]} (contrast ${ratio.toFixed(2)}:1 with white, ` +
        `at least ${MIN_CONTRAST}:1 is needed to be readable); choose a darker colour`,
      { field, contrast: Number(ratio.toFixed(2)), minimum: MIN_CONTRAST },
    );
  }
  return color;
}

/** A brand name as typed: one line, 1 to 80 characters once trimmed; null or empty: the reseller's own name. */
export function normalizeBrandName(value: string | null): string | null {
  if (value === null) return null;
  if (/[\p{Cc}\u2028\u2029]/u.test(value)) {
    throw new AppError('validation_failed', 'brand_name: must be one line, without control characters', {
      field: 'brand_name',
    });
  }
  const name = value.trim().replace(/\s+/g, ' ');
  if (name === '') return null;
  if ([...name].length > BRAND_NAME_MAX) {
    throw new AppError(
      'validation_failed',
      `brand_name: at most ${BRAND_NAME_MAX} characters (this one has ${[...name].length})`,
      { field: 'brand_name' },
    );
  }
  return name;
}

/** The public address of a reseller's logo; `v` changes with the logo, so a new one is fetched anew. */
export const brandLogoPath = (whitelabelId: string, logoFileId: string | null): string | null =>
  logoFileId ? `/api/credits/brands/${whitelabelId}/logo?v=${logoFileId.slice(-12)}` : null;

/** The name a brand shows: the chosen one, else the reseller's own name, else its domain. */
export const shownBrandName = (
  row: { brandName: string | null; domain: string },
  ownerName: string | null,
): string => row.brandName ?? (ownerName?.trim() || row.domain);

async function brandingOf(db: Db, row: Whitelabel): Promise<Branding> {
  const [owner] = await db.select({ name: users.name }).from(users).where(eq(users.id, row.userId));
  return {
    whitelabelId: row.id,
    userId: row.userId,
    domain: row.domain,
    domainStatus: row.status,
    brandName: row.brandName,
    name: shownBrandName(row, owner?.name ?? null),
    logoFileId: row.logoFileId,
    primaryColor: row.primaryColor,
    accentColor: row.accentColor,
    updatedAt: row.updatedAt,
  };
}

/**
 * The whitelabel row a brand is kept on, of the caller (or, for an administrator, of `userId`).
 * Someone else's answers not found, as if it did not exist; a person who does not resell is refused;
 * a reseller without a domain is told to set one first.
 */
async function brandRow(
  db: Db,
  actor: Actor,
  userId: string | undefined,
  lock: boolean,
): Promise<Whitelabel> {
  const subject = userId ?? requireUser(actor);
  if ((subject !== actor.userId && !actor.isAdmin) || !isUuid(subject)) throw notFound('brand');
  const [customer] = await db
    .select({ type: customers.type })
    .from(customers)
    .where(eq(customers.userId, subject));
  if (customer?.type !== 'whitelabel') {
    if (subject !== actor.userId) throw notFound('brand');
    throw new AppError('forbidden', 'only whitelabel resellers have a brand; buy a whitelabel product first');
  }
  const query = db.select().from(whitelabels).where(eq(whitelabels.userId, subject));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) {
    throw creditsErrors.error(
      'domain_not_set',
      'Set up your domain first: your brand is what your domain shows your customers.',
      { next: 'PUT /api/credits/whitelabel/domain' },
    );
  }
  return row;
}

export async function getBranding(deps: CreditsDeps, actor: Actor, userId?: string): Promise<Branding> {
  return brandingOf(deps.db, await brandRow(deps.db, actor, userId, false));
}

export interface BrandingChange {
  /** Null: the reseller's own name. Absent fields stay as they are. */
  brandName?: string | null;
  /** Null: Tally's own colour. */
  primaryColor?: string | null;
  accentColor?: string | null;
}

/** Changes the caller's brand name and colours, every field checked before anything is written. */
export async function updateBranding(
  deps: CreditsDeps,
  actor: Actor,
  change: BrandingChange,
): Promise<Branding> {
  const next = {
    ...(change.brandName === undefined ? {} : { brandName: normalizeBrandName(change.brandName) }),
    ...(change.primaryColor === undefined
      ? {}
      : {
          primaryColor:
            change.primaryColor === null ? null : normalizeColor('primary_color', change.primaryColor),
        }),
    ...(change.accentColor === undefined
      ? {}
      : {
          accentColor:
            change.accentColor === null ? null : normalizeColor('accent_color', change.accentColor),
        }),
  };
  return deps.db.transaction(async (tx) => {
    const before = await brandRow(tx, actor, undefined, true);
    const [row] = await tx
      .update(whitelabels)
      .set({ ...next, updatedAt: deps.clock.now() })
      .where(eq(whitelabels.id, before.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.whitelabel.set_brand',
      objectType: 'credits_whitelabel',
      objectId: before.id,
      details: {
        before: {
          brandName: before.brandName,
          primaryColor: before.primaryColor,
          accentColor: before.accentColor,
        },
        after: { brandName: row!.brandName, primaryColor: row!.primaryColor, accentColor: row!.accentColor },
      },
    });
    return brandingOf(tx, row!);
  });
}

/** PostgreSQL's foreign_key_violation: the row is still referred to. */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Lets go of the file that was a reseller's logo, in the transaction that stops showing it, so it is
 * never gone while a brand still shows it, nor kept for good once none does. Only a file the
 * reseller uploaded and no brand names; one another record still refers to (a foreign key of another
 * line) is kept. Its record goes, so nothing reads it again; its bytes go once that has committed
 * (`forgetBytes`): a crash in between leaves bytes no record names, as an upload that crashed
 * before its record leaves them. Answers whether it went.
 */
async function releaseLogoFile(tx: Db, ownerUserId: string, fileId: string): Promise<boolean> {
  try {
    // A savepoint: a refused delete must not undo the new logo with it.
    const deleted = await tx.transaction((savepoint) =>
      queryRows<{ id: string }>(
        savepoint,
        sql`DELETE FROM core_files f
            WHERE f.id = ${fileId} AND f.owner_user_id = ${ownerUserId}
              AND NOT EXISTS (SELECT 1 FROM credits_whitelabels w WHERE w.logo_file_id = f.id)
            RETURNING f.id`,
      ),
    );
    return deleted.length > 0;
  } catch (error) {
    if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION) return false;
    throw error;
  }
}

/**
 * Sets the caller's logo: PNG, JPEG or WebP, its type read from its bytes as every photo's is. SVG
 * is refused: it is a document that can carry scripts and links, and a logo shown on a tenant's
 * pages must be an image that only ever draws pixels.
 */
export async function setBrandLogo(
  deps: BrandingDeps,
  actor: Actor,
  upload: { name: string; bytes: Buffer },
): Promise<Branding> {
  // Refusals that depend on who is asking come before any byte is kept.
  await brandRow(deps.db, actor, undefined, false);
  const stored = await storePhoto(deps, actor, upload);
  const { branding, released } = await deps.db.transaction(async (tx) => {
    const before = await brandRow(tx, actor, undefined, true);
    const [row] = await tx
      .update(whitelabels)
      .set({ logoFileId: stored.id, updatedAt: deps.clock.now() })
      .where(eq(whitelabels.id, before.id))
      .returning();
    const released = before.logoFileId ? await releaseLogoFile(tx, before.userId, before.logoFileId) : false;
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.whitelabel.set_logo',
      objectType: 'credits_whitelabel',
      objectId: before.id,
      details: {
        fileId: stored.id,
        previous: before.logoFileId,
        previousReleased: released,
        contentType: stored.contentType,
        size: stored.size,
      },
    });
    return { branding: await brandingOf(tx, row!), released: released ? before.logoFileId : null };
  });
  await forgetBytes(deps, released);
  return branding;
}

/** The bytes of a file whose record a committed transaction deleted. */
async function forgetBytes(deps: BrandingDeps, fileId: string | null): Promise<void> {
  if (fileId) await deps.files.store.remove(fileId);
}

/** Removes the caller's logo; removing none is no change (a retried click). */
export async function removeBrandLogo(deps: BrandingDeps, actor: Actor): Promise<Branding> {
  const { branding, released } = await deps.db.transaction(async (tx) => {
    const before = await brandRow(tx, actor, undefined, true);
    if (!before.logoFileId) return { branding: await brandingOf(tx, before), released: null };
    const [row] = await tx
      .update(whitelabels)
      .set({ logoFileId: null, updatedAt: deps.clock.now() })
      .where(eq(whitelabels.id, before.id))
      .returning();
    const released = await releaseLogoFile(tx, before.userId, before.logoFileId);
    await recordAudit(tx, deps.clock, actor, {
      action: 'credits.whitelabel.remove_logo',
      objectType: 'credits_whitelabel',
      objectId: before.id,
      details: { previous: before.logoFileId, previousReleased: released },
    });
    return { branding: await brandingOf(tx, row!), released: released ? before.logoFileId : null };
  });
  await forgetBytes(deps, released);
  return branding;
}

export interface BrandLogo {
  contentType: string;
  bytes: Buffer;
  /** The bytes' SHA-256: the validator a cached copy is checked against. */
  sha256: string;
}

/** A reseller's logo for anyone (its login and landing pages show it before anyone signs in). */
export async function readBrandLogo(deps: BrandingDeps, whitelabelId: string): Promise<BrandLogo> {
  if (!isUuid(whitelabelId)) throw notFound('logo', { whitelabel_id: whitelabelId });
  const [found] = await deps.db
    .select({ fileId: files.id, contentType: files.contentType, sha256: files.sha256 })
    .from(whitelabels)
    .innerJoin(files, eq(files.id, whitelabels.logoFileId))
    .where(eq(whitelabels.id, whitelabelId));
  if (!found) throw notFound('logo', { whitelabel_id: whitelabelId });
  return {
    contentType: found.contentType,
    sha256: found.sha256,
    bytes: await deps.files.store.read(found.fileId),
  };
}
