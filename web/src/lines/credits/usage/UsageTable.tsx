import { Anchor, Badge, Card, Code, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import type { CreditsActionPrice, CreditsGrant, CreditsUsage, CreditsWorkspace } from '../../../api/types';
import { useIsPhone } from '../../../hooks/useIsPhone';
import { formatDateTime } from '../../../lib/dates';
import { actionLabel, formatCredits, shortId } from '../format';

export interface UsageContext {
  prices: CreditsActionPrice[] | undefined;
  workspaces: CreditsWorkspace[] | undefined;
  grants: CreditsGrant[] | undefined;
}

function grantSource(grant: CreditsGrant | undefined): string {
  if (!grant) return 'a grant used up or expired since';
  const reason = grant.reason ? `: ${grant.reason}` : '';
  return `${grant.source}${reason}, granted ${formatDateTime(grant.created_at)}`;
}

/** Which grants paid a usage, and how much each: the credits' origin, in burn order. */
function PaidBy({ usage, grants }: { usage: CreditsUsage; grants: CreditsGrant[] | undefined }) {
  if (usage.paid_by.length === 0) return <Text size="xs">—</Text>;
  return (
    <Stack gap={2}>
      {usage.paid_by.map((part) => (
        <Text key={part.grant_id} size="xs" style={{ whiteSpace: 'nowrap' }}>
          <Tooltip label={grantSource(grants?.find((g) => g.id === part.grant_id))}>
            <Code aria-label={`grant ${part.grant_id}`}>{shortId(part.grant_id)}</Code>
          </Tooltip>{' '}
          {formatCredits(part.amount)}
        </Text>
      ))}
    </Stack>
  );
}

function Source({ usage }: { usage: CreditsUsage }) {
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
  const name = workspaces?.find((w) => w.id === usage.workspace_id)?.name ?? shortId(usage.workspace_id);
  return (
    <Anchor component={Link} to={`/credits/workspaces/${usage.workspace_id}`} size="sm">
      {name}
    </Anchor>
  );
}

/** One usage as a card: the phone's layout, where a wide table would need sideways scrolling. */
function UsageCard({ usage, context }: { usage: CreditsUsage; context: UsageContext }) {
  return (
    <Card withBorder padding="sm" component="li" aria-label={`${formatCredits(usage.amount)} used`}>
      <Stack gap={4}>
        <Group justify="space-between" wrap="nowrap" align="baseline">
          <Text fw={700}>{formatCredits(usage.amount)}</Text>
          <Text size="xs" c="dimmed">
            {formatDateTime(usage.used_at)}
          </Text>
        </Group>
        <Text size="sm">{actionLabel(context.prices, usage.action)}</Text>
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          for {usage.used_for}
        </Text>
        <Group gap="xs">
          <Source usage={usage} />
          <WorkspaceName usage={usage} workspaces={context.workspaces} />
        </Group>
        <Group gap="xs" align="flex-start">
          <Text size="xs" c="dimmed">
            Paid by
          </Text>
          <PaidBy usage={usage} grants={context.grants} />
        </Group>
      </Stack>
    </Card>
  );
}

/** Credit usages, newest first: a table on a wide screen, a list of cards on a phone. */
export function UsageTable({ usages, context }: { usages: CreditsUsage[]; context: UsageContext }) {
  const isPhone = useIsPhone();
  if (isPhone) {
    return (
      <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Usages">
        {usages.map((usage) => (
          <UsageCard key={usage.id} usage={usage} context={context} />
        ))}
      </Stack>
    );
  }
  return (
    <Table.ScrollContainer minWidth={880}>
      <Table aria-label="Usages" fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Used for</Table.Th>
            <Table.Th>Workspace</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Paid by grants</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {usages.map((usage) => (
            <Table.Tr key={usage.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(usage.used_at)}</Table.Td>
              <Table.Td>{actionLabel(context.prices, usage.action)}</Table.Td>
              <Table.Td maw={260} style={{ overflowWrap: 'anywhere' }}>
                {usage.used_for}
              </Table.Td>
              <Table.Td>
                <WorkspaceName usage={usage} workspaces={context.workspaces} />
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                {formatCredits(usage.amount)}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Source usage={usage} />
              </Table.Td>
              <Table.Td>
                <PaidBy usage={usage} grants={context.grants} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
