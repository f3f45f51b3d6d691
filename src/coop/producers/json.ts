import { z } from '@hono/zod-openapi';
import { formatIban } from '../../core/banking/iban';
import { Uuid } from '../fields';
import { editorPolicies } from '../schema';
import type { ProducerView } from './service';

export const ProducerSchema = z
  .object({
    id: Uuid,
    club_id: Uuid,
    name: z.string(),
    has_photo: z.boolean().openapi({ description: 'its photo is at /api/coop/producers/{id}/photo' }),
    contact_email: z.string(),
    phone_number: z.string(),
    location: z.string(),
    details: z.string(),
    iban: z.string().nullable().openapi({
      description: 'where it is paid, grouped by four; shown to its liaison, the Admin and the bookkeeper',
    }),
    account_holder: z.string().nullable(),
    liaison: z.object({ user_id: Uuid, name: z.string() }),
    editor_policy: z.enum(editorPolicies).openapi({
      description:
        'who edits its products besides the liaison: nobody (liaison), every club member, or the editors listed',
    }),
    editors: z.array(Uuid),
    sorters: z.array(Uuid).openapi({ description: 'who receives, checks and sorts its deliveries' }),
    my_rights: z
      .object({ runs: z.boolean(), edits_products: z.boolean() })
      .openapi({ description: 'what I may do: run it (details, people, photo, liaison), edit its products' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CoopProducer');

export const producerJson = (p: ProducerView) => ({
  id: p.id,
  club_id: p.clubId,
  name: p.name,
  has_photo: p.photoFileId !== null,
  contact_email: p.contactEmail,
  phone_number: p.phoneNumber,
  location: p.location,
  details: p.details,
  iban: p.mine.runs || p.mine.books ? (p.iban ? formatIban(p.iban) : null) : null,
  account_holder: p.mine.runs || p.mine.books ? p.accountHolder : null,
  liaison: { user_id: p.liaison.userId, name: p.liaison.name },
  editor_policy: p.editorPolicy,
  editors: p.editors,
  sorters: p.sorters,
  my_rights: { runs: p.mine.runs, edits_products: p.mine.edits },
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});
