import { Alert, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** What wallet features show when this Tally runs without a chain (GET /api/chain answered 503). */
export function NoChainAlert({ reason, children }: { reason: string; children: ReactNode }) {
  return (
    <Alert color="yellow" variant="light" title="No chain connected" role="status">
      <Stack gap="xs">
        <Text size="sm">{children}</Text>
        <Text size="xs" c="dimmed">
          {reason}
        </Text>
      </Stack>
    </Alert>
  );
}
