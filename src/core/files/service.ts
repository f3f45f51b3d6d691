import { createHash } from 'node:crypto';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../actor';
import type { Clock } from '../clock';
import type { Db } from '../database';
import { AppError, notFound } from '../errors';
import { isUuid, newId } from '../ids';
import { files } from './schema';
import { sniffType, type UploadType, uploadTypes } from './sniff';
import type { FileStore } from './store';

export interface FileDeps {
  db: Db;
  clock: Clock;
  store: FileStore;
}

export type StoredFile = typeof files.$inferSelect;

export interface UploadInput {
  name: string;
  bytes: Buffer;
  /** What this upload may be (an invoice: a PDF or a photo of one). */
  allowed: readonly UploadType[];
  maxBytes: number;
}

/** A name for the download: its last path part, on one line, at most 200 characters. */
function cleanName(name: string, type: UploadType): string {
  const base = path
    .basename(name.replaceAll('\\', '/'))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  return base === '' || base === '.' || base === '..' ? `file.${uploadTypes[type].extension}` : base;
}

/** Keeps an upload of the signed-in person: its type sniffed from its bytes, its size bounded. */
export async function saveUpload(deps: FileDeps, actor: Actor, input: UploadInput): Promise<StoredFile> {
  if (!actor.userId) throw new AppError('unauthorized', 'sign in to upload a file');
  if (input.bytes.length === 0)
    throw new AppError('validation_failed', 'the file is empty', { field: 'file' });
  if (input.bytes.length > input.maxBytes) {
    throw new AppError('payload_too_large', `the file is larger than ${input.maxBytes} bytes`, {
      field: 'file',
    });
  }
  const type = sniffType(input.bytes, input.allowed);
  if (!type) {
    throw new AppError('unsupported_media_type', `the file must be one of: ${input.allowed.join(', ')}`, {
      field: 'file',
      allowed: input.allowed,
    });
  }
  const id = newId();
  // The bytes first: a row never names a file that is not there; bytes without a row are never served.
  await deps.store.write(id, input.bytes);
  const [stored] = await deps.db
    .insert(files)
    .values({
      id,
      ownerUserId: actor.userId,
      name: cleanName(input.name, type),
      contentType: type,
      size: input.bytes.length,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      createdAt: deps.clock.now(),
    })
    .returning();
  return stored!;
}

/** A file and its bytes, for the person who uploaded it or an administrator; anyone else: not found. */
export async function readUpload(
  deps: FileDeps,
  actor: Actor,
  id: string,
): Promise<{ file: StoredFile; bytes: Buffer }> {
  if (!isUuid(id) || (!actor.userId && !actor.isAdmin)) throw notFound('file', { id });
  const [file] = await deps.db
    .select()
    .from(files)
    .where(actor.isAdmin ? eq(files.id, id) : and(eq(files.id, id), eq(files.ownerUserId, actor.userId!)));
  if (!file) throw notFound('file', { id });
  return { file, bytes: await deps.store.read(id) };
}
