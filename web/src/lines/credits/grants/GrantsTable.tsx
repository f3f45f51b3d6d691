import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CreditsGrant } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { formatToTheSecond } from '../../../lib/dates';
import { csvAmount, csvTime } from '../../../lib/table';
import { formatCredits } from '../format';
import { grantSourceLabels } from './grantWords';

/** Grants with credits left, in the order they are spent (burn order); each opens its page. */
export function GrantsTable({ grants }: { grants: CreditsGrant[] }) {
  const columns: Column<CreditsGrant>[] = [
    {
      id: 'source',
      header: 'Source',
      cardTitle: true,
      cell: (grant) => (
        <>
          <Anchor component={Link} to={`/credits/grants/${grant.id}`} size="sm" fw={500}>
            {grantSourceLabels[grant.source] ?? grant.source}
          </Anchor>
          {grant.reason && (
            <Text size="xs" c="dimmed">
              {grant.reason}
            </Text>
          )}
        </>
      ),
      sortValue: (grant) => grant.source,
      csv: (grant) =>
        [grantSourceLabels[grant.source] ?? grant.source, grant.reason].filter(Boolean).join(': '),
    },
    {
      id: 'granted',
      header: 'Granted',
      align: 'right',
      nowrap: true,
      cell: (grant) => formatCredits(grant.amount),
      sortValue: (grant) => BigInt(grant.amount),
      csv: (grant) => csvAmount(grant.amount, 0, 'credits'),
    },
    {
      id: 'left',
      header: 'Left',
      align: 'right',
      nowrap: true,
      cell: (grant) => formatCredits(grant.remaining),
      sortValue: (grant) => BigInt(grant.remaining),
      csv: (grant) => csvAmount(grant.remaining, 0, 'credits'),
    },
    {
      id: 'expires',
      header: 'Expires',
      nowrap: true,
      cell: (grant) => formatToTheSecond(grant.expires_at, 'never'),
      sortValue: (grant) => (grant.expires_at ? new Date(grant.expires_at) : null),
      csv: (grant) => csvTime(grant.expires_at),
    },
    {
      id: 'granted-on',
      header: 'Granted on',
      nowrap: true,
      cell: (grant) => formatToTheSecond(grant.created_at),
      sortValue: (grant) => new Date(grant.created_at),
      csv: (grant) => csvTime(grant.created_at),
    },
  ];
  return (
    <DataTable label="Grants" rows={grants} columns={columns} rowKey={(grant) => grant.id} minWidth={680} />
  );
}
