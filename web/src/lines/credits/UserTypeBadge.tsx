import { Badge } from '@mantine/core';
import type { CreditsUserType } from '../../api/types';
import { userTypeColors, userTypeLabels } from './format';

/** A person's type in the credits line (seed §2): generic, whitelabel, under whitelabel or admin. */
export function UserTypeBadge({ type }: { type: CreditsUserType | null }) {
  if (!type) {
    return (
      <Badge variant="light" color="gray">
        no product yet
      </Badge>
    );
  }
  return (
    <Badge variant="light" color={userTypeColors[type]}>
      {userTypeLabels[type]}
    </Badge>
  );
}
