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
import { HouseholdSchema, householdJson, JoinRequestSchema, joinRequestJson } from './json';
import {
  addHouseholdMember,
  createHousehold,
  decideJoinRequest,
  deleteHousehold,
  getHousehold,
  leaveHousehold,
  listClubJoinRequests,
  listHouseholds,
  listJoinRequests,
  myJoinRequest,
  readHouseholdPhoto,
  removeHouseholdMember,
  renameHousehold,
  requestToJoin,
  setHouseholdPhoto,
  withdrawJoinRequest,
} from './service';

/** Households: made by their first member, joined by request, left by each; the club's admin manages them. */

const tags = ['Coop: households'];
const HouseholdName = oneLine(z.string().max(120));
const UserId = z.uuid().openapi({ param: { name: 'userId', in: 'path' } });

export function householdRoutes(deps: CoopDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/households',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'The club’s households with their members, by name (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(HouseholdSchema) }), 'Households'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: (await listHouseholds(deps, c.get('actor'), c.req.valid('param').id)).map(householdJson) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/households',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Start a household and be its first member (a club member in no household yet)',
      request: { params: z.object({ id: PathId }), ...jsonBody(z.strictObject({ name: HouseholdName })) },
      responses: {
        201: jsonResponse(HouseholdSchema, 'The household'),
        ...errorResponses,
        ...refusals(coopErrors, ['household_name_taken', 'in_a_household']),
      },
    }),
    async (c) =>
      c.json(
        householdJson(
          await createHousehold(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json')),
        ),
        201,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/join-requests',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'Every request waiting to join a household of the club, oldest first (the club’s admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(JoinRequestSchema) }), 'Waiting requests'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const requests = await listClubJoinRequests(deps, actor, c.req.valid('param').id);
      return c.json({ items: requests.map((r) => joinRequestJson(r, actor.userId)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/my-join-request',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary:
        'My waiting request to join a household of the club, with the code to read out; null when none',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.union([JoinRequestSchema, z.null()]), 'The request, or null'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const request = await myJoinRequest(deps, actor, c.req.valid('param').id);
      return c.json(request ? joinRequestJson(request, actor.userId) : null, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/households/{id}',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'A household and its members (club members)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(HouseholdSchema, 'The household'), ...errorResponses },
    }),
    async (c) =>
      c.json(householdJson(await getHousehold(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/households/{id}',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Rename a household (its members, or the club’s admin)',
      request: { params: z.object({ id: PathId }), ...jsonBody(z.strictObject({ name: HouseholdName })) },
      responses: {
        200: jsonResponse(HouseholdSchema, 'The household'),
        ...errorResponses,
        ...refusals(coopErrors, ['household_name_taken', 'household_archived']),
      },
    }),
    async (c) =>
      c.json(
        householdJson(
          await renameHousehold(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json')),
        ),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/households/{id}',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary:
        'Delete a household (the club’s admin): archived with its history, its members free to join another',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(HouseholdSchema, 'The archived household'), ...errorResponses },
    }),
    async (c) =>
      c.json(householdJson(await deleteHousehold(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/households/{id}/leave',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Leave my household; the last member to leave archives it',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(HouseholdSchema, 'The household as it is now'), ...errorResponses },
    }),
    async (c) =>
      c.json(householdJson(await leaveHousehold(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/households/{id}/members',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Put a club member into a household (the club’s admin)',
      request: { params: z.object({ id: PathId }), ...jsonBody(z.strictObject({ user_id: Uuid })) },
      responses: {
        200: jsonResponse(HouseholdSchema, 'The household'),
        ...errorResponses,
        ...refusals(coopErrors, ['in_a_household', 'household_archived']),
      },
    }),
    async (c) =>
      c.json(
        householdJson(
          await addHouseholdMember(
            deps,
            c.get('actor'),
            c.req.valid('param').id,
            c.req.valid('json').user_id,
          ),
        ),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/households/{id}/members/{userId}',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Take someone out of a household (the club’s admin); the household is archived when empty',
      request: { params: z.object({ id: PathId, userId: UserId }) },
      responses: { 200: jsonResponse(HouseholdSchema, 'The household as it is now'), ...errorResponses },
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      return c.json(householdJson(await removeHouseholdMember(deps, c.get('actor'), id, userId)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/households/{id}/join-requests',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Ask to join a household; any of its members decides. The answer carries the code to read out',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ message: z.string().max(500).optional() })),
      },
      responses: {
        201: jsonResponse(JoinRequestSchema, 'The request'),
        ...errorResponses,
        ...refusals(coopErrors, ['in_a_household', 'household_archived']),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const request = await requestToJoin(deps, actor, c.req.valid('param').id, c.req.valid('json'));
      return c.json(joinRequestJson(request, actor.userId), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/households/{id}/join-requests',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'Who asks to join a household (its members, and the club’s admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(JoinRequestSchema) }), 'Waiting requests'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const requests = await listJoinRequests(deps, actor, c.req.valid('param').id);
      return c.json({ items: requests.map((r) => joinRequestJson(r, actor.userId)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/join-requests/{id}/approve',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary:
        'Let the person in (a member of the household, typing the code they read out when the club requires it; or the club’s admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ code: z.string().max(20).optional() })),
      },
      responses: {
        200: jsonResponse(JoinRequestSchema, 'The request, approved'),
        ...errorResponses,
        ...refusals(coopErrors, [
          'join_code_wrong',
          'join_request_decided',
          'in_a_household',
          'household_archived',
        ]),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const request = await decideJoinRequest(deps, actor, c.req.valid('param').id, {
        approve: true,
        code: c.req.valid('json').code,
      });
      return c.json(joinRequestJson(request, actor.userId), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/join-requests/{id}/reject',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Turn a request down (a member of the household, or the club’s admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(JoinRequestSchema, 'The request, rejected'),
        ...errorResponses,
        ...refusals(coopErrors, ['join_request_decided']),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const request = await decideJoinRequest(deps, actor, c.req.valid('param').id, { approve: false });
      return c.json(joinRequestJson(request, actor.userId), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/join-requests/{id}/withdraw',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Take my request back',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(JoinRequestSchema, 'The request, withdrawn'),
        ...errorResponses,
        ...refusals(coopErrors, ['join_request_decided']),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const request = await withdrawJoinRequest(deps, actor, c.req.valid('param').id);
      return c.json(joinRequestJson(request, actor.userId), 200);
    },
  );

  photoRoutes(router, {
    what: 'household',
    path: '/households',
    tags,
    setters: 'its members, or the club’s admin',
    readers: 'club members',
    scopes: { write: 'coop:write', read: 'coop:read' },
    schema: HouseholdSchema,
    responses: refusals(coopErrors, ['household_archived']),
    set: (actor, id, upload) => setHouseholdPhoto(deps, actor, id, upload),
    json: householdJson,
    read: (actor, id) => readHouseholdPhoto(deps, actor, id),
  });

  return router;
}
