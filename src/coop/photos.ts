import { sql } from 'drizzle-orm';
import type { Actor } from '../core/actor';
import { queryRows } from '../core/database';
import { notFound } from '../core/errors';
import { type StoredFile, saveUpload } from '../core/files/service';
import type { CoopDeps } from './deps';

/** A photo of a producer or a household: an image the club's members see, at most this large. */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** Keeps an uploaded photo in Tally's file store, its type read from its bytes. */
export function storePhoto(
  deps: CoopDeps,
  actor: Actor,
  upload: { name: string; bytes: Buffer },
): Promise<StoredFile> {
  return saveUpload(deps.files, actor, { ...upload, allowed: PHOTO_TYPES, maxBytes: PHOTO_MAX_BYTES });
}

/** A stored photo's bytes; the caller has checked who may see it. */
export async function readPhoto(
  deps: CoopDeps,
  fileId: string | null,
  of: Record<string, string>,
): Promise<{ contentType: string; bytes: Buffer }> {
  const [file] = fileId
    ? await queryRows<{ content_type: string }>(
        deps.db,
        sql`SELECT content_type FROM core_files WHERE id = ${fileId}`,
      )
    : [];
  if (!fileId || !file) throw notFound('photo', of);
  return { contentType: file.content_type, bytes: await deps.files.store.read(fileId) };
}

/** How a photo is served: an image no browser runs as a page of ours. */
export const photoHeaders = (contentType: string, bytes: Buffer) => ({
  'content-type': contentType,
  'content-length': String(bytes.length),
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, max-age=300',
});
