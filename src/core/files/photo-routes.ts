import { createRoute, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { type createRouter, errorResponses, jsonResponse, PathId } from '../http';
import { PHOTO_MAX_BYTES, photoHeaders } from './photos';

/**
 * `PUT` and `GET /<things>/{id}/photo` for a record with a photo (a producer, a household): the
 * upload as multipart/form-data, the image served so that no browser runs it as a page of ours.
 */
export function photoRoutes<T>(
  router: ReturnType<typeof createRouter>,
  options: {
    path: string;
    /** What the record is, in words: `household`. */
    what: string;
    tags: string[];
    /** Who may set it, for the summary: "its liaison, or the club’s Admin". */
    setters: string;
    /** Who may see it, for the summary: "club members". */
    readers: string;
    /** The API-key scopes of setting and reading it (`coop:write`, `coop:read`); a public read takes none. */
    scopes: { write: string; read: string };
    /** Whether reading it needs no sign-in (a plan's card shown on other sites). */
    publicRead?: boolean;
    schema: ZodType;
    responses?: Record<string, unknown>;
    set: (actor: Actor, id: string, upload: { name: string; bytes: Buffer }) => Promise<T>;
    json: (record: T) => unknown;
    read: (actor: Actor, id: string) => Promise<{ contentType: string; bytes: Buffer }>;
  },
): void {
  router.openapi(
    createRoute({
      method: 'put',
      path: `${options.path}/{id}/photo`,
      access: { caller: 'signed-in', scope: options.scopes.write },
      tags: options.tags,
      summary: `Set the ${options.what}’s photo (${options.setters}): PNG, JPEG or WebP, up to ${PHOTO_MAX_BYTES} bytes`,
      request: {
        params: z.object({ id: PathId }),
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }),
            },
          },
        },
      },
      responses: {
        200: jsonResponse(options.schema, `The ${options.what}`),
        ...errorResponses,
        ...options.responses,
      },
    }),
    async (c) => {
      const { file } = c.req.valid('form');
      if (!(file instanceof File))
        throw new AppError('validation_failed', 'file: a photo is required', { field: 'file' });
      const record = await options.set(c.get('actor'), c.req.valid('param').id, {
        name: file.name,
        bytes: Buffer.from(await file.arrayBuffer()),
      });
      return c.json(options.json(record) as never, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: `${options.path}/{id}/photo`,
      access: options.publicRead ? { caller: 'anyone' } : { caller: 'signed-in', scope: options.scopes.read },
      tags: options.tags,
      summary: `The ${options.what}’s photo (${options.readers})`,
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: { description: 'The image', content: { 'image/*': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { contentType, bytes } = await options.read(c.get('actor'), c.req.valid('param').id);
      return c.body(new Uint8Array(bytes), 200, photoHeaders(contentType, bytes));
    },
  );
}
