import { Code, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { AuditEntry } from '../../api/types';
import { formatDateTime } from '../../lib/dates';

/**
 * An id shortened to its last characters (a UUIDv7 begins with its timestamp, so the start of ids
 * made together is the same), the full id on hover and for screen readers.
 */
function ShortId({ id }: { id: string }) {
  return (
    <Tooltip label={id}>
      <Code aria-label={id}>…{id.slice(-8)}</Code>
    </Tooltip>
  );
}

function detailValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function Details({ details }: { details: AuditEntry['details'] }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <Text size="xs">—</Text>;
  return (
    <Stack gap={2}>
      {entries.map(([key, value]) => (
        <Text key={key} size="xs" style={{ wordBreak: 'break-word' }}>
          <Text span size="xs" fw={600}>
            {key}:
          </Text>{' '}
          {detailValue(value)}
        </Text>
      ))}
    </Stack>
  );
}

function Actor({ entry }: { entry: AuditEntry }) {
  if (entry.actor) {
    return (
      <Text size="sm" title={entry.actor_user_id ?? undefined}>
        {entry.actor.name || entry.actor.email || 'A person without a name'}
        {entry.actor.name && entry.actor.email ? (
          <Text span size="xs" c="dimmed">
            {' '}
            ({entry.actor.email})
          </Text>
        ) : null}
      </Text>
    );
  }
  if (entry.actor_user_id) return <ShortId id={entry.actor_user_id} />;
  if (entry.actor_api_key_id) {
    return (
      <Text size="sm">
        API key <ShortId id={entry.actor_api_key_id} />
      </Text>
    );
  }
  return <Text size="sm">system</Text>;
}

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Object</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Organisation</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Details</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry) => (
            <Table.Tr key={entry.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.at)}</Table.Td>
              <Table.Td>
                <Code>{entry.action}</Code>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{entry.object_type}</Text>
                {entry.object_id && <ShortId id={entry.object_id} />}
              </Table.Td>
              <Table.Td>
                <Actor entry={entry} />
              </Table.Td>
              <Table.Td>{entry.organization_id ? <ShortId id={entry.organization_id} /> : '—'}</Table.Td>
              <Table.Td>
                <Text size="sm">{entry.ip ?? '—'}</Text>
                {entry.request_id && (
                  <Text size="xs">
                    request <ShortId id={entry.request_id} />
                  </Text>
                )}
              </Table.Td>
              <Table.Td maw={320}>
                <Details details={entry.details} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
