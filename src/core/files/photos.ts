import { sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { type Db, queryRows } from '../database';
import { notFound } from '../errors';
import { type FileDeps, type StoredFile, saveUpload } from './service';

/** A photo of a record (a producer, a household, a plan's card): an image, at most this large. */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** Keeps an uploaded photo in Tally's file store, its type read from its bytes. */
export function storePhoto(
  deps: { files: FileDeps },
  actor: Actor,
  upload: { name: string; bytes: Buffer },
): Promise<StoredFile> {
  return saveUpload(deps.files, actor, { ...upload, allowed: PHOTO_TYPES, maxBytes: PHOTO_MAX_BYTES });
}

/** A stored photo's bytes; the caller has checked who may see it. */
export async function readPhoto(
  deps: { db: Db; files: FileDeps },
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
