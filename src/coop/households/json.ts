import { z } from '@hono/zod-openapi';
import { iso, Uuid } from '../fields';
import { joinRequestStates } from '../schema';
import type { Household, HouseholdView, JoinRequestView } from './service';

/** The JSON of households and join requests. */
const PersonSchema = z.object({ user_id: Uuid, name: z.string(), email: z.string().nullable() });

export const HouseholdSchema = z
  .object({
    id: Uuid,
    club_id: Uuid,
    name: z.string(),
    has_photo: z.boolean().openapi({ description: 'its photo is at /api/coop/households/{id}/photo' }),
    archived_at: z.string().nullable(),
    members: z.array(PersonSchema.extend({ joined_at: z.string() })),
    created_at: z.string(),
  })
  .openapi('CoopHousehold');

export const householdJson = (h: HouseholdView | Household) => ({
  id: h.id,
  club_id: h.clubId,
  name: h.name,
  has_photo: h.photoFileId !== null,
  archived_at: iso(h.archivedAt),
  members:
    'members' in h
      ? h.members.map((m) => ({
          user_id: m.userId,
          name: m.name,
          email: m.email,
          joined_at: m.joinedAt.toISOString(),
        }))
      : [],
  created_at: h.createdAt.toISOString(),
});

export const JoinRequestSchema = z
  .object({
    id: Uuid,
    household_id: Uuid,
    household_name: z.string(),
    club_id: Uuid,
    person: PersonSchema.openapi({ description: 'who asks to join' }),
    message: z.string(),
    state: z.enum(joinRequestStates),
    code: z.string().nullable().openapi({
      description: 'the code to read out to a member of the household; only the person asking sees it',
    }),
    decided_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('CoopJoinRequest');

/** A join request; its code only for the person who asked. */
export const joinRequestJson = (r: JoinRequestView, viewerId: string | null) => ({
  id: r.id,
  household_id: r.householdId,
  household_name: r.householdName,
  club_id: r.clubId,
  person: { user_id: r.person.userId, name: r.person.name, email: r.person.email },
  message: r.message,
  state: r.state,
  code: viewerId === r.userId ? r.code : null,
  decided_at: iso(r.decidedAt),
  created_at: r.createdAt.toISOString(),
});
