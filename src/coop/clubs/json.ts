import { z } from '@hono/zod-openapi';
import { iso, Uuid } from '../fields';
import type { Club, InviteLink } from './service';

/** The JSON of clubs and their invite links. */
export const ClubSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    my_role: z.string().nullable(),
    my_permissions: z.array(z.string()),
    join_code_required: z.boolean().openapi({
      description:
        'whether a household approves a join request only with the code shown to the person asking',
    }),
    my_household_id: Uuid.nullable().openapi({ description: 'the household of the club I am in, or null' }),
    created_at: z.string(),
  })
  .openapi('CoopClub');

export const clubJson = (club: Club) => ({
  id: club.id,
  name: club.name,
  my_role: club.myRole,
  my_permissions: [...club.myPermissions],
  join_code_required: club.joinCodeRequired,
  my_household_id: club.myHouseholdId,
  created_at: club.createdAt.toISOString(),
});

export const InviteLinkSchema = z
  .object({
    id: Uuid,
    club_id: Uuid,
    created_by: Uuid,
    expires_at: z.string(),
    revoked_at: z.string().nullable(),
    uses: z.number().int().openapi({ description: 'how many people joined the club through it' }),
    created_at: z.string(),
  })
  .openapi('CoopInviteLink');

export const inviteLinkJson = (link: InviteLink) => ({
  id: link.id,
  club_id: link.clubId,
  created_by: link.createdBy,
  expires_at: link.expiresAt.toISOString(),
  revoked_at: iso(link.revokedAt),
  uses: link.uses,
  created_at: link.createdAt.toISOString(),
});
