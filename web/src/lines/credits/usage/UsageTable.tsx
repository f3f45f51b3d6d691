import { Anchor, Badge, Stack, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import type { CreditsActionPrice, CreditsGrant, CreditsUsage, CreditsWorkspace } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { formatToTheSecond } from '../../../lib/dates';
import { csvAmount, csvTime } from '../../../lib/table';
import { useSession } from '../../../session/SessionContext';
import { actionLabel, formatCredits } from '../format';

export interface UsageContext {
  prices: CreditsActionPrice[] | undefined;
  workspaces: CreditsWorkspace[] | undefined;
  grants: CreditsGrant[] | undefined;
}

type PaidPart = CreditsUsage['paid_by'][number];

/** A grant as people call it ("Pro (refill)"): the API's name, else how the loaded grant came, never its id. */
function grantName(part: PaidPart, grants: CreditsGrant[] | undefined): string {
  if (part.label) return part.label;
  const grant = grants?.find((g) => g.id === part.grant_id);
  if (!grant) return 'An earlier grant';
  return `${grant.source}${grant.reason ? `: ${grant.reason}` : ''}, granted ${formatToTheSecond(grant.created_at)}`;
}

/** Which grants paid a usage, and how much each: the credits' origin, in burn order. */
export function PaidBy({ usage, grants }: { usage: CreditsUsage; grants: CreditsGrant[] | undefined }) {
  const { session } = useSession();
  // A grant's page is its holder's (and administrators'): a workspace member sees whose credits paid, not more.
  const mayOpen =
    session.status === 'signed-in' && (session.user.is_admin || session.user.id === usage.user_id);
  if (usage.paid_by.length === 0) return <Text size="xs">—</Text>;
  return (
    <Stack gap={2}>
      {usage.paid_by.map((part) => (
        <Text key={part.grant_id} size="xs">
          {mayOpen ? (
            <Anchor component={Link} to={`/credits/grants/${part.grant_id}`} size="xs">
              {grantName(part, grants)}
            </Anchor>
          ) : (
            grantName(part, grants)
          )}
          : <span style={{ whiteSpace: 'nowrap' }}>{formatCredits(part.amount)}</span>
        </Text>
      ))}
    </Stack>
  );
}

/** What the credits were used for: Tally's own purposes in words, the purpose as written beneath. */
export function UsedFor({ usage }: { usage: CreditsUsage }) {
  return (
    <Stack gap={0} maw={260}>
      {usage.used_for_label && <Text size="sm">{usage.used_for_label}</Text>}
      <Text
        size={usage.used_for_label ? 'xs' : 'sm'}
        c={usage.used_for_label ? 'dimmed' : undefined}
        style={{ overflowWrap: 'anywhere' }}
      >
        {usage.used_for}
      </Text>
    </Stack>
  );
}

export function Source({ usage }: { usage: CreditsUsage }) {
  return usage.is_reserved ? (
    <Tooltip
      label={`Used from the reservation for ${usage.reserved_for ?? usage.reservation_id ?? 'an earlier action'}`}
    >
      <Badge variant="light" color="orange" aria-label="from a reservation" style={{ overflow: 'visible' }}>
        reservation
      </Badge>
    </Tooltip>
  ) : (
    <Tooltip label="Charged at once, without a reservation">
      <Badge variant="light" color="gray" aria-label="charged directly" style={{ overflow: 'visible' }}>
        direct
      </Badge>
    </Tooltip>
  );
}

function WorkspaceName({ usage, workspaces }: { usage: CreditsUsage; workspaces?: CreditsWorkspace[] }) {
  if (!usage.workspace_id) return <Text size="sm">—</Text>;
  const name = workspaces?.find((w) => w.id === usage.workspace_id)?.name ?? 'Open the workspace';
  return (
    <Anchor component={Link} to={`/credits/workspaces/${usage.workspace_id}`} size="sm">
      {name}
    </Anchor>
  );
}

function paidByText(usage: CreditsUsage, grants: CreditsGrant[] | undefined): string {
  return usage.paid_by
    .map((part) => `${grantName(part, grants)}: ${csvAmount(part.amount, 0, 'credits')}`)
    .join('; ');
}

const sourceText = (usage: CreditsUsage) => (usage.is_reserved ? 'reservation' : 'direct');

/**
 * Credit usages, newest first: sorted, searched and downloaded as far as they are loaded, a list of
 * cards on a phone. An excerpt (a workspace's latest usages) sorts, but has no search or download.
 */
export function UsageTable({
  usages,
  context,
  excerpt = false,
  moreToLoad = false,
}: {
  usages: CreditsUsage[];
  context: UsageContext;
  excerpt?: boolean;
  moreToLoad?: boolean;
}) {
  const workspaceName = (usage: CreditsUsage) =>
    context.workspaces?.find((w) => w.id === usage.workspace_id)?.name ?? null;
  const columns: Column<CreditsUsage>[] = [
    {
      id: 'when',
      header: 'When',
      nowrap: true,
      cell: (u) => (
        <Anchor component={Link} to={`/credits/usage/${u.id}`} size="sm">
          {formatToTheSecond(u.used_at)}
        </Anchor>
      ),
      sortValue: (u) => new Date(u.used_at),
      csv: (u) => csvTime(u.used_at),
    },
    {
      id: 'action',
      header: 'Action',
      cell: (u) => actionLabel(context.prices, u.action),
      sortValue: (u) => actionLabel(context.prices, u.action),
      csv: (u) => actionLabel(context.prices, u.action),
    },
    {
      id: 'used-for',
      header: 'Used for',
      cell: (u) => <UsedFor usage={u} />,
      sortValue: (u) => u.used_for,
      csv: (u) => u.used_for,
    },
    {
      id: 'workspace',
      header: 'Workspace',
      cell: (u) => <WorkspaceName usage={u} workspaces={context.workspaces} />,
      sortValue: workspaceName,
      // A spreadsheet has no link to follow: the workspace's id stands in for a name not loaded.
      csv: (u) => workspaceName(u) ?? u.workspace_id ?? '',
    },
    {
      id: 'amount',
      header: 'Amount',
      align: 'right',
      nowrap: true,
      cardTitle: true,
      cell: (u) => formatCredits(u.amount),
      sortValue: (u) => BigInt(u.amount),
      csv: (u) => csvAmount(u.amount, 0, 'credits'),
    },
    {
      id: 'source',
      header: 'From',
      nowrap: true,
      cell: (u) => <Source usage={u} />,
      sortValue: sourceText,
      csv: sourceText,
    },
    {
      id: 'paid-by',
      header: 'Paid by',
      cell: (u) => <PaidBy usage={u} grants={context.grants} />,
      sortValue: (u) => paidByText(u, context.grants) || null,
      csv: (u) => paidByText(u, context.grants),
    },
  ];
  return (
    <DataTable
      label="Usages"
      rows={usages}
      columns={columns}
      rowKey={(u) => u.id}
      searchLabel={excerpt ? undefined : 'Search usages'}
      exportName={excerpt ? undefined : 'credit-usages'}
      initialSort={{ columnId: 'when', direction: 'descending' }}
      moreToLoad={moreToLoad}
      minWidth={880}
    />
  );
}
