import { createRoute, z } from '@hono/zod-openapi';
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
import { ClubSchema, clubJson, InviteLinkSchema, inviteLinkJson } from './json';
import {
  createClub,
  createInviteLink,
  getClub,
  joinByInviteLink,
  listInviteLinks,
  listMyClubs,
  previewInviteLink,
  revokeInviteLink,
  updateClub,
} from './service';

/** Buyers clubs and the links that bring people into them. Members and roles are the core's `/api/orgs/{id}/members`. */

const tags = ['Coop: clubs'];
const ClubName = oneLine(z.string().max(200));
const Token = z
  .string()
  .min(10)
  .max(200)
  .openapi({ param: { name: 'token', in: 'path' } });

export function clubRoutes(deps: CoopDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Start a buyers club; its creator is its Admin, holding every role',
      request: jsonBody(z.strictObject({ name: ClubName, join_code_required: z.boolean().optional() })),
      responses: { 201: jsonResponse(ClubSchema, 'The club'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const club = await createClub(deps, c.get('actor'), {
        name: body.name,
        joinCodeRequired: body.join_code_required,
      });
      return c.json(clubJson(club), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'The clubs I am a member of',
      responses: { 200: jsonResponse(z.object({ items: z.array(ClubSchema) }), 'Clubs'), ...errorResponses },
    }),
    async (c) => c.json({ items: (await listMyClubs(deps, c.get('actor'))).map(clubJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'A club (its members)',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(ClubSchema, 'The club'), ...errorResponses },
    }),
    async (c) => c.json(clubJson(await getClub(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/clubs/{id}',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Rename the club or change how households admit people (its Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({ name: ClubName.optional(), join_code_required: z.boolean().optional() }),
        ),
      },
      responses: { 200: jsonResponse(ClubSchema, 'The club'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const club = await updateClub(deps, c.get('actor'), c.req.valid('param').id, {
        name: body.name,
        joinCodeRequired: body.join_code_required,
      });
      return c.json(clubJson(club), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/invite-links',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Make an invite link (who may invite); the link is in this answer only',
      request: { params: z.object({ id: PathId }) },
      responses: {
        201: jsonResponse(z.object({ link: InviteLinkSchema, url: z.string() }), 'The link'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { link, url } = await createInviteLink(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ link: inviteLinkJson(link), url }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/invite-links',
      access: { caller: 'signed-in', scope: 'coop:read' },
      tags,
      summary: 'The club’s invite links, without their secrets (who may invite)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(InviteLinkSchema) }), 'Invite links'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: (await listInviteLinks(deps, c.get('actor'), c.req.valid('param').id)).map(inviteLinkJson) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/invite-links/{linkId}/revoke',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Revoke an invite link (who may invite); revoking twice changes nothing',
      request: {
        params: z.object({ id: PathId, linkId: z.uuid().openapi({ param: { name: 'linkId', in: 'path' } }) }),
      },
      responses: { 200: jsonResponse(InviteLinkSchema, 'The link'), ...errorResponses },
    }),
    async (c) => {
      const { id, linkId } = c.req.valid('param');
      return c.json(inviteLinkJson(await revokeInviteLink(deps, c.get('actor'), id, linkId)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/invite-links/{token}',
      access: { caller: 'anyone' },
      tags,
      summary: 'Which club an invite link leads to, for whoever holds it',
      request: { params: z.object({ token: Token }) },
      responses: {
        200: jsonResponse(
          z.object({ club_id: z.uuid(), club_name: z.string(), expires_at: z.string() }),
          'The club',
        ),
        ...errorResponses,
        ...refusals(coopErrors, ['invite_link_unusable']),
      },
    }),
    async (c) => {
      const preview = await previewInviteLink(deps, c.req.valid('param').token);
      return c.json(
        { club_id: preview.clubId, club_name: preview.clubName, expires_at: preview.expiresAt.toISOString() },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/invite-links/{token}/join',
      access: { caller: 'signed-in', scope: 'coop:write' },
      tags,
      summary: 'Join the club an invite link leads to; a member already keeps their role',
      request: { params: z.object({ token: Token }) },
      responses: {
        200: jsonResponse(ClubSchema, 'The club'),
        ...errorResponses,
        ...refusals(coopErrors, ['invite_link_unusable']),
      },
    }),
    async (c) =>
      c.json(clubJson(await joinByInviteLink(deps, c.get('actor'), c.req.valid('param').token)), 200),
  );

  return router;
}
