import { Table, Text } from '@mantine/core';
import type { CreditsGrant } from '../../../api/types';
import { formatDateTime } from '../../../lib/dates';
import { formatCredits } from '../format';

/** Grants with credits left, in the order they are spent (burn order). */
export function GrantsTable({ grants }: { grants: CreditsGrant[] }) {
  return (
    <Table.ScrollContainer minWidth={680}>
      <Table aria-label="Grants" fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Source</Table.Th>
            <Table.Th ta="right">Granted</Table.Th>
            <Table.Th ta="right">Left</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Granted on</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {grants.map((grant) => (
            <Table.Tr key={grant.id}>
              <Table.Td>
                <Text size="sm">{grant.source}</Text>
                {grant.reason && (
                  <Text size="xs" c="dimmed">
                    {grant.reason}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatCredits(grant.amount)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatCredits(grant.remaining)}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {formatDateTime(grant.expires_at, 'never')}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(grant.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
