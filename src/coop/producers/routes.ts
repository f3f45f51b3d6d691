import { createRoute, z } from '@hono/zod-openapi';
import { photoRoutes } from '../../core/files/photo-routes';
import {
  createRouter,
  errorResponses,
  jsonBody,
  jsonResponse,
  oneLine,
  PathId,
  refusals,
} from '../../core/http';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { Uuid } from '../fields';
import { editorPolicies } from '../schema';
import { ProducerSchema, producerJson } from './json';
import {
  createProducer,
  getProducer,
  listProducers,
  readProducerPhoto,
  setProducerPhoto,
  transferLiaison,
  updateProducer,
} from './service';

/** Producers: anyone in the club adds one and is its liaison; the liaison or the Admin runs it. */

const tags = ['Coop: producers'];

const ProducerFields = {
  name: oneLine(z.string().max(200)),
  contact_email: z.union([z.email().max(320), z.literal('')]).optional(),
  phone_number: oneLine(z.string().max(60)).optional(),
  location: oneLine(z.string().max(300)).optional(),
  details: z.string().max(5000).optional(),
  iban: z
    .string()
    .max(50)
    .nullable()
    .optional()
    .openapi({ description: 'where it is paid (DE89 3704 …), checked' }),
  account_holder: oneLine(z.string().max(70)).nullable().optional(),
};

const fieldsOf = (body: {
  name?: string;
  contact_email?: string;
  phone_number?: string;
  location?: string;
  details?: string;
  iban?: string | null;
  account_holder?: string | null;
}) => ({
  name: body.name,
  contactEmail: body.contact_email,
  phoneNumber: body.phone_number,
  location: body.location,
  details: body.details,
  iban: body.iban,
  accountHolder: body.account_holder,
});

export function producerRoutes(deps: CoopDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/producers',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Add a producer (any club member), who is then its liaison',
      request: { params: z.object({ id: PathId }), ...jsonBody(z.strictObject(ProducerFields)) },
      responses: {
        201: jsonResponse(ProducerSchema, 'The producer'),
        ...errorResponses,
        ...refusals(coopErrors, ['producer_name_taken']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const producer = await createProducer(deps, c.get('actor'), c.req.valid('param').id, {
        ...fieldsOf(body),
        name: body.name,
      });
      return c.json(producerJson(producer), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/producers',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'The club’s producers, by name (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(ProducerSchema) }), 'Producers'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: (await listProducers(deps, c.get('actor'), c.req.valid('param').id)).map(producerJson) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/producers/{id}',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'A producer (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(ProducerSchema, 'The producer'), ...errorResponses },
    }),
    async (c) => c.json(producerJson(await getProducer(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/producers/{id}',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Edit a producer, who edits its products, and its sorters (its liaison, or the club’s Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            ...ProducerFields,
            name: ProducerFields.name.optional(),
            editor_policy: z.enum(editorPolicies).optional(),
            editors: z.array(Uuid).max(200).optional(),
            sorters: z.array(Uuid).max(200).optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(ProducerSchema, 'The producer'),
        ...errorResponses,
        ...refusals(coopErrors, ['producer_name_taken']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const producer = await updateProducer(deps, c.get('actor'), c.req.valid('param').id, {
        ...fieldsOf(body),
        editorPolicy: body.editor_policy,
        editors: body.editors,
        sorters: body.sorters,
      });
      return c.json(producerJson(producer), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/producers/{id}/liaison',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Hand the liaison role to another club member (the liaison, or the club’s Admin)',
      request: { params: z.object({ id: PathId }), ...jsonBody(z.strictObject({ user_id: Uuid })) },
      responses: { 200: jsonResponse(ProducerSchema, 'The producer'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        producerJson(
          await transferLiaison(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json').user_id),
        ),
        200,
      ),
  );

  photoRoutes(router, {
    what: 'producer',
    path: '/producers',
    tags,
    setters: 'its liaison, or the club’s Admin',
    readers: 'club members',
    scopes: { write: 'coop:write', read: 'coop:read' },
    schema: ProducerSchema,

    set: (actor, id, upload) => setProducerPhoto(deps, actor, id, upload),
    json: producerJson,
    read: (actor, id) => readProducerPhoto(deps, actor, id),
  });

  return router;
}
