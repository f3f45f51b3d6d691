import { Badge, Box, Card, Group, Image, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { StreamsPlan, StreamsPlanKind } from '../../../api/types';
import { type Fact, Facts } from '../../../components/Facts';
import { formatDateTime } from '../../../lib/dates';
import {
  formatTokenWei,
  formatWei,
  kindLabels,
  planPrice,
  plural,
  textColourOn,
  tokenUnderlying,
} from '../format';

/** What a plan's card shows: the same card for the catalogue, the producer's list and the form's preview. */
export interface PlanCardView {
  name: string;
  kind: StreamsPlanKind;
  description: string;
  backgroundColor: string;
  imageUrl: string | null;
  /** The headline: "9.999999999999936 DAIx a month", "0.05 USDCx a use". */
  price: string;
  /** A line under the price, such as "A month is 30 days.". */
  priceNote?: string;
  facts: Fact[];
}

/** The card of a saved plan, with its kind's own facts. */
export function planCardView(plan: StreamsPlan): PlanCardView {
  const token = plan.token.symbol;
  const facts: Fact[] = [];
  if (plan.stream) {
    facts.push({ label: 'Flow rate', value: `${formatWei(plan.stream.flow_rate)} wei a second` });
  }
  if (plan.vesting) {
    facts.push(
      { label: 'Cliff date', value: formatDateTime(plan.vesting.cliff_at) },
      {
        label: 'Start amount',
        value: `${formatTokenWei(plan.vesting.start_amount, token)}, paid at the cliff`,
      },
    );
  }
  if (plan.usage) {
    facts.push({
      label: 'Uses',
      value: `${plan.usage.min_usage.toLocaleString('en-US')} to ${plural(plan.usage.max_usage, 'use')}`,
    });
  }
  facts.push({ label: 'Token', value: `${token} (wraps ${tokenUnderlying[token]})` });
  facts.push({
    label: 'Subscribers',
    value: plan.total_supply === null ? 'No limit' : `${plan.total_supply.toLocaleString('en-US')} at most`,
  });
  if (plan.month_limit !== null)
    facts.push({ label: 'Month limit', value: `${plural(plan.month_limit, 'use')} a month` });
  return {
    name: plan.name,
    kind: plan.kind,
    description: plan.description,
    backgroundColor: plan.background_color,
    imageUrl: plan.image_url && `${plan.image_url}?v=${encodeURIComponent(plan.updated_at)}`,
    price: planPrice(plan),
    priceNote: plan.stream?.period === 'month' ? 'A month is 30 days.' : undefined,
    facts,
  };
}

/** A plan as a consumer sees it: its colour and image, its price, and what its kind promises. */
export function PlanCard({
  view,
  label,
  footer,
}: {
  view: PlanCardView;
  /** The card's accessible name; the plan's name by default. */
  label?: string;
  footer?: ReactNode;
}) {
  const ink = textColourOn(view.backgroundColor);
  return (
    <Card withBorder padding={0} component="article" aria-label={label ?? (view.name || 'New plan')}>
      {view.imageUrl && (
        <Image src={view.imageUrl} alt={`Card image of ${view.name || 'the plan'}`} h={140} fit="cover" />
      )}
      <Box p="md" style={{ background: view.backgroundColor, color: ink }} data-card-colour>
        <Stack gap={4}>
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <Title order={3} size="h4" c={ink} style={{ overflowWrap: 'anywhere' }}>
              {view.name || 'Name of the plan'}
            </Title>
            <Badge variant="white" color="dark" style={{ flexShrink: 0 }}>
              {kindLabels[view.kind]}
            </Badge>
          </Group>
          <Text size="lg" fw={700} c={ink}>
            {view.price}
          </Text>
          {view.priceNote && (
            <Text size="xs" c={ink}>
              {view.priceNote}
            </Text>
          )}
        </Stack>
      </Box>
      <Stack gap="sm" p="md">
        {view.description && <Text size="sm">{view.description}</Text>}
        <Facts facts={view.facts} />
        {footer}
      </Stack>
    </Card>
  );
}
