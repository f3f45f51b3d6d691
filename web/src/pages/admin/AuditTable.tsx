import { Code, Stack, Text, Tooltip } from '@mantine/core';
import type { AuditEntry } from '../../api/types';
import { type Column, DataTable } from '../../components/DataTable';
import { formatToTheSecond } from '../../lib/dates';
import { csvTime } from '../../lib/table';

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

function actorText(entry: AuditEntry): string {
  if (entry.actor) return [entry.actor.name, entry.actor.email].filter(Boolean).join(' ');
  if (entry.actor_user_id) return entry.actor_user_id;
  if (entry.actor_api_key_id) return `API key ${entry.actor_api_key_id}`;
  return 'system';
}

const detailsText = (details: AuditEntry['details']) =>
  Object.entries(details)
    .map(([key, value]) => `${key}: ${detailValue(value)}`)
    .join('; ');

const columns: Column<AuditEntry>[] = [
  {
    id: 'at',
    header: 'When',
    nowrap: true,
    cardTitle: true,
    cell: (entry) => formatToTheSecond(entry.at),
    sortValue: (entry) => new Date(entry.at),
    csv: (entry) => csvTime(entry.at),
  },
  {
    id: 'action',
    header: 'Action',
    cell: (entry) => <Code style={{ wordBreak: 'break-all' }}>{entry.action}</Code>,
    sortValue: (entry) => entry.action,
    csv: (entry) => entry.action,
  },
  {
    id: 'object',
    header: 'Object',
    cell: (entry) => (
      <>
        <Text size="sm">{entry.object_type}</Text>
        {entry.object_id && <ShortId id={entry.object_id} />}
      </>
    ),
    sortValue: (entry) => entry.object_type,
    csv: (entry) => [entry.object_type, entry.object_id].filter(Boolean).join(' '),
  },
  {
    id: 'actor',
    header: 'Actor',
    cell: (entry) => <Actor entry={entry} />,
    sortValue: actorText,
    csv: actorText,
  },
  {
    id: 'organization',
    header: 'Organisation',
    cell: (entry) => (entry.organization_id ? <ShortId id={entry.organization_id} /> : '—'),
    csv: (entry) => entry.organization_id ?? '',
  },
  {
    id: 'from',
    header: 'From',
    cell: (entry) => (
      <>
        <Text size="sm">{entry.ip ?? '—'}</Text>
        {entry.request_id && (
          <Text size="xs">
            request <ShortId id={entry.request_id} />
          </Text>
        )}
      </>
    ),
    sortValue: (entry) => entry.ip,
    csv: (entry) => [entry.ip, entry.request_id && `request ${entry.request_id}`].filter(Boolean).join(' '),
  },
  {
    id: 'details',
    header: 'Details',
    cell: (entry) => <Details details={entry.details} />,
    csv: (entry) => detailsText(entry.details),
  },
];

/**
 * Audit entries, newest first: on a phone each entry is a card. The log is paged by the API, so
 * sorting, search and export cover the entries loaded (the table says so).
 */
export function AuditTable({
  entries,
  moreToLoad = false,
  exportName,
}: {
  entries: AuditEntry[];
  moreToLoad?: boolean;
  /** The download's name; without it none (the audit log page exports the whole log from the server). */
  exportName?: string;
}) {
  return (
    <DataTable
      label="Audit entries"
      rows={entries}
      columns={columns}
      rowKey={(entry) => entry.id}
      searchLabel="Search entries"
      exportName={exportName}
      initialSort={{ columnId: 'at', direction: 'descending' }}
      moreToLoad={moreToLoad}
      minWidth={1000}
    />
  );
}
