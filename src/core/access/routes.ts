import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, errorResponses, jsonBody, jsonResponse, oneLine } from '../http';
import type { AccessDeps, OrganizationForActor } from './authorization';
import {
  acceptInvitation,
  getInvitationByToken,
  type Invitation,
  type InvitationPreview,
  inviteMember,
  listInvitations,
  revokeInvitation,
} from './invitations';
import { changeMemberRole, listMembers, type Member, removeMember } from './memberships';
import {
  createOrganization,
  getOrganization,
  listMyOrganizations,
  updateOrganization,
} from './organizations';

/** Organisations, their members and invitations under /api/orgs; invitation links under /api/invitations. */

const tags = ['Organisations'];
const Identifier = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _');
const OrganizationName = oneLine(z.string().trim().min(1).max(200)).openapi({
  example: 'Green Valley Buyers Club',
});

const OrganizationSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    name: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    my_role: z.string().nullable().openapi({ description: 'null for an administrator who is not a member' }),
    my_permissions: z.array(z.string()),
  })
  .openapi('Organization');

const MemberSchema = z
  .object({
    user_id: z.uuid(),
    name: z.string(),
    email: z.string().nullable(),
    role: z.string(),
    joined_at: z.string(),
  })
  .openapi('Member');

const InvitationStateSchema = z.enum(['open', 'accepted', 'revoked', 'expired']);

const InvitationSchema = z
  .object({
    id: z.uuid(),
    organization_id: z.uuid(),
    email: z.string(),
    role: z.string(),
    state: InvitationStateSchema,
    invited_by: z.object({ user_id: z.uuid(), name: z.string() }),
    created_at: z.string(),
    expires_at: z.string(),
    accepted_at: z.string().nullable(),
    accepted_by: z.uuid().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('Invitation');

const InvitationPreviewSchema = z
  .object({
    organization: z.object({ id: z.uuid(), name: z.string(), kind: z.string(), kind_label: z.string() }),
    inviter_name: z.string(),
    email: z.string(),
    role: z.string(),
    role_label: z.string(),
    state: InvitationStateSchema,
    expires_at: z.string(),
  })
  .openapi('InvitationPreview');

const OrganizationKindSchema = z
  .object({
    kind: z.string(),
    label: z.string(),
    creator_role: z.string(),
    self_service: z.boolean(),
    invitations_by_line: z.boolean().openapi({
      description: 'its invitations are sent by its product line, not through /api/orgs/{id}/invitations',
    }),
    renamed_by_line: z.boolean().openapi({
      description: 'it is renamed through its product line, not through PATCH /api/orgs/{id}',
    }),
    created_by_line: z.boolean().openapi({
      description: 'it is made through its product line, not through POST /api/orgs',
    }),
    roles: z.array(z.object({ role: z.string(), label: z.string(), permissions: z.array(z.string()) })),
  })
  .openapi('OrganizationKind');

const organizationJson = (o: OrganizationForActor) => ({
  id: o.id,
  kind: o.kind,
  name: o.name,
  created_at: o.createdAt.toISOString(),
  updated_at: o.updatedAt.toISOString(),
  my_role: o.myRole,
  my_permissions: [...o.myPermissions],
});

const memberJson = (m: Member) => ({
  user_id: m.userId,
  name: m.name,
  email: m.email,
  role: m.role,
  joined_at: m.joinedAt.toISOString(),
});

const invitationJson = (i: Invitation) => ({
  id: i.id,
  organization_id: i.organizationId,
  email: i.email,
  role: i.role,
  state: i.state,
  invited_by: { user_id: i.invitedBy.userId, name: i.invitedBy.name },
  created_at: i.createdAt.toISOString(),
  expires_at: i.expiresAt.toISOString(),
  accepted_at: i.acceptedAt?.toISOString() ?? null,
  accepted_by: i.acceptedBy,
  revoked_at: i.revokedAt?.toISOString() ?? null,
});

const invitationPreviewJson = (p: InvitationPreview) => ({
  organization: {
    id: p.organization.id,
    name: p.organization.name,
    kind: p.organization.kind,
    kind_label: p.organization.kindLabel,
  },
  inviter_name: p.inviterName,
  email: p.email,
  role: p.role,
  role_label: p.roleLabel,
  state: p.state,
  expires_at: p.expiresAt.toISOString(),
});

const responses = errorResponses;

const pathParam = (name: string) => z.uuid().openapi({ param: { name, in: 'path' } });
const OrganizationParams = z.object({ id: pathParam('id') });
const MemberParams = z.object({ id: pathParam('id'), userId: pathParam('userId') });
const InvitationParams = z.object({ id: pathParam('id'), invitationId: pathParam('invitationId') });
const TokenParams = z.object({
  token: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'token', in: 'path' } }),
});

export function accessRoutes(deps: AccessDeps) {
  const router = createRouter();

  // Before /{id}, so "kinds" is never read as an organisation id.
  router.openapi(
    createRoute({
      method: 'get',
      path: '/kinds',
      access: { caller: 'anyone' },
      tags,
      summary: 'The kinds of organisation, with their roles and what each role may do',
      responses: {
        200: jsonResponse(z.object({ items: z.array(OrganizationKindSchema) }), 'Every kind'),
        ...responses,
      },
    }),
    (c) =>
      c.json(
        {
          items: deps.kinds.list().map((k) => ({
            kind: k.kind,
            label: k.label,
            creator_role: k.creatorRole,
            self_service: k.selfService,
            invitations_by_line: k.invitationsByLine,
            renamed_by_line: k.renamedByLine,
            created_by_line: k.createdByLine,
            roles: k.roles.map((r) => ({ role: r.role, label: r.label, permissions: [...r.permissions] })),
          })),
        },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/',
      access: { caller: 'signed-in', scope: 'orgs:write' },
      tags,
      summary:
        'Create an organisation; its creator gets the kind’s creator role (owner unless it says otherwise)',
      request: jsonBody(
        z.strictObject({
          kind: Identifier.openapi({ example: 'club' }),
          name: OrganizationName,
          owner_user_id: z
            .uuid()
            .optional()
            .openapi({ description: 'administrators only: who gets the role' }),
        }),
      ),
      responses: { 201: jsonResponse(OrganizationSchema, 'The organisation'), ...responses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const organization = await createOrganization(deps, c.get('actor'), {
        kind: body.kind,
        name: body.name,
        ownerUserId: body.owner_user_id,
      });
      return c.json(organizationJson(organization), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      access: { caller: 'signed-in', scope: 'orgs:read' },
      tags,
      summary: 'The organisations I belong to, with my role in each',
      responses: {
        200: jsonResponse(z.object({ items: z.array(OrganizationSchema) }), 'My organisations'),
        ...responses,
      },
    }),
    async (c) =>
      c.json({ items: (await listMyOrganizations(deps, c.get('actor'))).map(organizationJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      access: { caller: 'signed-in', scope: 'orgs:read' },
      tags,
      summary: 'An organisation, with my role and permissions in it',
      request: { params: OrganizationParams },
      responses: { 200: jsonResponse(OrganizationSchema, 'The organisation'), ...responses },
    }),
    async (c) =>
      c.json(organizationJson(await getOrganization(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      access: { caller: 'signed-in', scope: 'orgs:write' },
      tags,
      summary: 'Rename an organisation',
      request: { params: OrganizationParams, ...jsonBody(z.strictObject({ name: OrganizationName })) },
      responses: { 200: jsonResponse(OrganizationSchema, 'The organisation'), ...responses },
    }),
    async (c) => {
      const organization = await updateOrganization(deps, c.get('actor'), {
        organizationId: c.req.valid('param').id,
        name: c.req.valid('json').name,
      });
      return c.json(organizationJson(organization), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/members',
      access: { caller: 'signed-in', scope: 'orgs:read' },
      tags,
      summary: 'The members, with their names, addresses and roles',
      request: { params: OrganizationParams },
      responses: {
        200: jsonResponse(z.object({ items: z.array(MemberSchema) }), 'The members'),
        ...responses,
      },
    }),
    async (c) => {
      const members = await listMembers(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ items: members.map(memberJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}/members/{userId}',
      access: { caller: 'signed-in', scope: 'orgs:write' },
      tags,
      summary: "Change a member's role (never leaving the organisation without an owner)",
      request: {
        params: MemberParams,
        ...jsonBody(z.strictObject({ role: Identifier.openapi({ example: 'admin' }) })),
      },
      responses: { 200: jsonResponse(MemberSchema, 'The member'), ...responses },
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      const member = await changeMemberRole(deps, c.get('actor'), {
        organizationId: id,
        userId,
        role: c.req.valid('json').role,
      });
      return c.json(memberJson(member), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}/members/{userId}',
      access: { caller: 'signed-in', scope: 'orgs:write' },
      tags,
      summary: 'Remove a member, or leave (your own user id)',
      request: { params: MemberParams },
      responses: { 204: { description: 'Removed' }, ...responses },
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      await removeMember(deps, c.get('actor'), { organizationId: id, userId });
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/invitations',
      access: { caller: 'signed-in', scope: 'orgs:write' },
      tags,
      summary: 'Invite an email address with a role; mails the link, withdrawing an earlier open invitation',
      request: {
        params: OrganizationParams,
        ...jsonBody(
          z.strictObject({ email: z.email().max(254), role: Identifier.openapi({ example: 'admin' }) }),
        ),
      },
      responses: { 201: jsonResponse(InvitationSchema, 'The invitation'), ...responses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const invitation = await inviteMember(deps, c.get('actor'), {
        organizationId: c.req.valid('param').id,
        email: body.email,
        role: body.role,
      });
      return c.json(invitationJson(invitation), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/invitations',
      access: { caller: 'signed-in', scope: 'orgs:read' },
      tags,
      summary: 'The open invitations, newest first',
      request: { params: OrganizationParams },
      responses: {
        200: jsonResponse(z.object({ items: z.array(InvitationSchema) }), 'Open invitations'),
        ...responses,
      },
    }),
    async (c) => {
      const invitations = await listInvitations(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ items: invitations.map(invitationJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}/invitations/{invitationId}',
      access: { caller: 'signed-in', scope: 'orgs:write' },
      tags,
      summary: 'Withdraw an open invitation; its link stops working',
      request: { params: InvitationParams },
      responses: { 200: jsonResponse(InvitationSchema, 'The revoked invitation'), ...responses },
    }),
    async (c) => {
      const { id, invitationId } = c.req.valid('param');
      const invitation = await revokeInvitation(deps, c.get('actor'), { organizationId: id, invitationId });
      return c.json(invitationJson(invitation), 200);
    },
  );

  return router;
}

export function invitationRoutes(deps: AccessDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/{token}',
      access: { caller: 'anyone' },
      tags,
      summary: 'What an invitation link is for (public: the link is the credential)',
      request: { params: TokenParams },
      responses: { 200: jsonResponse(InvitationPreviewSchema, 'The invitation'), ...responses },
    }),
    async (c) =>
      c.json(invitationPreviewJson(await getInvitationByToken(deps, c.req.valid('param').token)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/{token}/accept',
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'Accept an invitation as the signed-in person, who must own the invited address',
      request: { params: TokenParams },
      responses: { 200: jsonResponse(OrganizationSchema, 'The organisation joined'), ...responses },
    }),
    async (c) => {
      const organization = await acceptInvitation(deps, c.get('actor'), c.req.valid('param').token);
      return c.json(organizationJson(organization), 200);
    },
  );

  return router;
}
