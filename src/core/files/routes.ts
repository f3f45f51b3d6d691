import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../errors';
import { createRouter, downloadHeaders, errorResponses, jsonResponse } from '../http';
import { type FileDeps, readUpload, type StoredFile, saveUpload } from './service';
import { type UploadType, uploadTypes } from './sniff';

/** Files under /api/files: an upload as multipart/form-data, and the download of one's own. */

const tags = ['Files'];

const FileSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    created_at: z.string(),
  })
  .openapi('StoredFile');

const fileJson = (f: StoredFile) => ({
  id: f.id,
  name: f.name,
  content_type: f.contentType,
  size: f.size,
  sha256: f.sha256,
  created_at: f.createdAt.toISOString(),
});

/**
 * What the general upload takes: documents and photos of them. XML and CSV are for a line's own
 * uploads (a bank statement), read by the line, never offered back as a document.
 */
const DOCUMENT_TYPES = (Object.keys(uploadTypes) as UploadType[]).filter(
  (type) => type !== 'application/xml',
);

export function fileRoutes(deps: FileDeps & { maxUploadBytes: number }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/',
      access: { caller: 'signed-in', scope: 'files:write' },
      tags,
      summary: `Upload a file (PDF, PNG, JPEG or WebP, up to ${deps.maxUploadBytes} bytes); its type is read from its bytes`,
      request: {
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }),
            },
          },
        },
      },
      responses: { 201: jsonResponse(FileSchema, 'The stored file'), ...errorResponses },
    }),
    async (c) => {
      const { file } = c.req.valid('form');
      if (!(file instanceof File))
        throw new AppError('validation_failed', 'file: a file is required', { field: 'file' });
      const stored = await saveUpload(deps, c.get('actor'), {
        name: file.name,
        bytes: Buffer.from(await file.arrayBuffer()),
        allowed: DOCUMENT_TYPES,
        maxBytes: deps.maxUploadBytes,
      });
      return c.json(fileJson(stored), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      access: { caller: 'signed-in', scope: 'files:read' },
      tags,
      summary: 'Download a file you uploaded (administrators: any)',
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: {
        200: {
          description: 'The bytes, as uploaded',
          content: { 'application/octet-stream': { schema: z.string() } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { file, bytes } = await readUpload(deps, c.get('actor'), c.req.valid('param').id);
      return c.body(new Uint8Array(bytes), 200, downloadHeaders(file.name, file.contentType, bytes.length));
    },
  );

  return router;
}
