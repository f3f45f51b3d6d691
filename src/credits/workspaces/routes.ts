import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, errorResponses, jsonBody, jsonResponse, oneLine, refusals } from '../../core/http';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { PathId } from '../fields';
import { UsageSchema, usageJson } from '../spending/json';
import { InvitationSchema, invitationJson, WorkspaceSchema, workspaceJson } from './json';
import {
  archiveWorkspace,
  createWorkspace,
  getWorkspace,
  inviteToWorkspace,
  listWorkspaces,
  renameWorkspace,
} from './service';

/** Workspaces: made for the `create_workspace` price, held in reserve for their activity. */

const tags = ['Credits: workspaces'];

export function workspaceRoutes(deps: CreditsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Make a workspace; its price is reserved for its activity',
      request: jsonBody(z.strictObject({ name: oneLine(z.string().max(200)) })),
      responses: {
        201: jsonResponse(WorkspaceSchema, 'The workspace'),
        ...errorResponses,
        ...refusals(creditsErrors, ['workspace_name_taken', 'action_not_in_products']),
      },
    }),
    async (c) => c.json(workspaceJson(await createWorkspace(deps, c.get('actor'), c.req.valid('json'))), 201),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'The workspaces I belong to',
      responses: {
        200: jsonResponse(z.object({ items: z.array(WorkspaceSchema) }), 'Workspaces'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: (await listWorkspaces(deps, c.get('actor'))).map(workspaceJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{id}',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'A workspace',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(WorkspaceSchema, 'The workspace'), ...errorResponses },
    }),
    async (c) =>
      c.json(workspaceJson(await getWorkspace(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/workspaces/{id}',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Rename an open workspace (owners and admins); the name must be free among open workspaces',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ name: oneLine(z.string().max(200)) })),
      },
      responses: {
        200: jsonResponse(WorkspaceSchema, 'The workspace'),
        ...errorResponses,
        ...refusals(creditsErrors, ['workspace_name_taken', 'workspace_archived']),
      },
    }),
    async (c) => {
      const workspace = await renameWorkspace(deps, c.get('actor'), {
        workspaceId: c.req.valid('param').id,
        name: c.req.valid('json').name,
      });
      return c.json(workspaceJson(workspace), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{id}/archive',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Archive a workspace (owners): its activity stops and what is reserved in it is released',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(WorkspaceSchema, 'The workspace'),
        ...errorResponses,
        ...refusals(creditsErrors, ['workspace_archived']),
      },
    }),
    async (c) =>
      c.json(workspaceJson(await archiveWorkspace(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{id}/invitations',
      access: { caller: 'signed-in', scope: 'credits:spend' },
      tags,
      summary: 'Invite someone to a workspace, for the `invite_member` price',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({ email: z.email().max(320), role: z.string().min(1).max(40).default('member') }),
        ),
      },
      responses: {
        201: jsonResponse(
          z.object({ invitation: InvitationSchema, usages: z.array(UsageSchema) }),
          'The invitation, and what it cost',
        ),
        ...errorResponses,
        ...refusals(creditsErrors, ['workspace_archived', 'action_not_in_products']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { invitation, usages } = await inviteToWorkspace(deps, c.get('actor'), {
        workspaceId: c.req.valid('param').id,
        email: body.email,
        role: body.role,
      });
      return c.json({ invitation: invitationJson(invitation), usages: usages.map((u) => usageJson(u)) }, 201);
    },
  );

  return router;
}
