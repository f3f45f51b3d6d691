import { z } from '@hono/zod-openapi';
import type { Invitation } from '../../core/access/invitations';
import { Credits, iso, Uuid } from '../fields';
import type { Workspace } from './service';

/** The JSON of workspaces and their invitations: the zod schemas routes answer with, and each record as JSON. */
export const WorkspaceSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    billing_user_id: Uuid,
    my_role: z.string().nullable(),
    reserved: Credits.openapi({ description: 'what is left of the credits reserved for its activity' }),
    archived_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('CreditsWorkspace');

export const workspaceJson = (w: Workspace) => ({
  id: w.id,
  name: w.name,
  billing_user_id: w.billingUserId,
  my_role: w.role,
  reserved: w.reserved.toString(),
  archived_at: iso(w.archivedAt),
  created_at: w.createdAt.toISOString(),
});

export const InvitationSchema = z.object({
  id: Uuid,
  organization_id: Uuid,
  email: z.string(),
  role: z.string(),
  state: z.string(),
  expires_at: z.string(),
});

export const invitationJson = (i: Invitation) => ({
  id: i.id,
  organization_id: i.organizationId,
  email: i.email,
  role: i.role,
  state: i.state,
  expires_at: i.expiresAt.toISOString(),
});
