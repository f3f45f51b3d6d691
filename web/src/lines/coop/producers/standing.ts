import type { CoopClub, CoopProducer } from '../../../api/types';
import { COOP } from '../format';

/**
 * What the signed-in person may do with a producer, by the rule the server applies (the API does not
 * say it): its liaison and whoever manages the club's producers run it (its details, photo, liaison,
 * editors, sorters); they and the editors its policy names edit its products.
 */
export function producerStanding(
  producer: CoopProducer,
  club: CoopClub,
  userId: string,
): { runs: boolean; edits: boolean } {
  const runs = club.my_permissions.includes(COOP.producers) || producer.liaison.user_id === userId;
  const edits =
    runs ||
    producer.editor_policy === 'all_members' ||
    (producer.editor_policy === 'members' && producer.editors.includes(userId));
  return { runs, edits };
}
