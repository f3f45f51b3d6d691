import { Anchor, Badge, Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { StreamsPlan } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { formatDateTime } from '../../../lib/dates';
import { formatTokenWei, formatWei, kindLabels, monthlyWei, planPrice } from '../format';
import { EmbedDialog } from '../plans/EmbedDialog';

/** Active and taking subscribers, active but starting later, or inactive: in words, on a badge. */
function PlanStatusBadge({ plan }: { plan: StreamsPlan }) {
  if (plan.status === 'inactive')
    return (
      <Badge color="gray" variant="light" style={{ flexShrink: 0 }}>
        Inactive
      </Badge>
    );
  return (
    <Group gap={6} wrap="nowrap">
      <Badge color={plan.open ? 'teal' : 'blue'} variant="light" style={{ flexShrink: 0 }}>
        Active
      </Badge>
      {!plan.open && (
        <Text size="xs" c="dimmed">
          from {formatDateTime(plan.starts_at)}
        </Text>
      )}
    </Group>
  );
}

const statusText = (plan: StreamsPlan) =>
  plan.status === 'inactive'
    ? 'inactive'
    : plan.open
      ? 'active'
      : `active from ${formatDateTime(plan.starts_at)}`;

const monthly = (plan: StreamsPlan) => {
  const wei = monthlyWei(plan);
  return wei === null ? 'per use' : formatTokenWei(wei, plan.token.symbol);
};

const columns: Column<StreamsPlan>[] = [
  {
    id: 'name',
    header: 'Plan',
    cardTitle: true,
    sortValue: (plan) => plan.name,
    csv: (plan) => plan.name,
    cell: (plan) => (
      <Anchor component={Link} to={`/streams/producer/plans/${plan.id}`} size="sm">
        {plan.name}
      </Anchor>
    ),
  },
  {
    id: 'kind',
    header: 'Kind',
    sortValue: (plan) => kindLabels[plan.kind],
    csv: (plan) => kindLabels[plan.kind],
    cell: (plan) => kindLabels[plan.kind],
    nowrap: true,
  },
  {
    id: 'price',
    header: 'Price',
    sortValue: (plan) => [plan.token.symbol, monthlyWei(plan) ?? BigInt(0)],
    csv: planPrice,
    cell: planPrice,
  },
  {
    id: 'monthly',
    header: 'A month of 30 days, per subscriber',
    sortValue: (plan) => [plan.token.symbol, monthlyWei(plan)],
    csv: monthly,
    cell: monthly,
    align: 'right',
  },
  {
    id: 'flow_rate',
    header: 'Flow rate',
    sortValue: (plan) => (plan.stream ? BigInt(plan.stream.flow_rate) : null),
    csv: (plan) => plan.stream?.flow_rate ?? '',
    cell: (plan) => (plan.stream ? `${formatWei(plan.stream.flow_rate)} wei/s` : '—'),
    align: 'right',
    nowrap: true,
  },
  {
    id: 'status',
    header: 'Status',
    sortValue: (plan) => statusText(plan),
    csv: statusText,
    cell: (plan) => <PlanStatusBadge plan={plan} />,
  },
  {
    id: 'supply',
    header: 'Supply',
    sortValue: (plan) => plan.total_supply,
    csv: (plan) => (plan.total_supply === null ? 'no limit' : String(plan.total_supply)),
    cell: (plan) =>
      plan.total_supply === null ? 'No limit' : `${plan.total_supply.toLocaleString('en-US')} subscribers`,
    align: 'right',
    nowrap: true,
  },
];

/** The producer's plans, each linking to its form, each with its card to embed on another site. */
export function PlansTable({ plans }: { plans: StreamsPlan[] }) {
  const [embedding, setEmbedding] = useState<StreamsPlan | null>(null);
  const embed: Column<StreamsPlan> = {
    id: 'embed',
    header: 'Widget',
    cell: (plan) => (
      <Button
        size="compact-sm"
        variant="light"
        onClick={() => setEmbedding(plan)}
        aria-label={`Embed ${plan.name}`}
      >
        Embed
      </Button>
    ),
  };
  return (
    <>
      <DataTable
        label="Your plans"
        rows={plans}
        columns={[...columns, embed]}
        rowKey={(plan) => plan.id}
        searchLabel="Search your plans"
        exportName="streams-plans"
        minWidth={960}
      />
      <EmbedDialog plan={embedding} onClose={() => setEmbedding(null)} />
    </>
  );
}
