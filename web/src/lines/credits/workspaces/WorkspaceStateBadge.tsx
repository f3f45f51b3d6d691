import { Badge } from '@mantine/core';
import type { CreditsWorkspace } from '../../../api/types';

export function WorkspaceStateBadge({ workspace }: { workspace: CreditsWorkspace }) {
  return workspace.archived_at ? (
    <Badge variant="light" color="gray">
      archived
    </Badge>
  ) : (
    <Badge variant="light" color="teal">
      open
    </Badge>
  );
}
