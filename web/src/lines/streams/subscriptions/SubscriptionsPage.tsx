import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { components } from '../../../api/schema';
import { type Fact, Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { formatDateTime } from '../../../lib/dates';
import { useSession } from '../../../session/SessionContext';
import { formatTokenWei, formatWei, periodAmount } from '../format';
import { ReceiptsSection } from '../receipts/ReceiptsSection';
import { StreamsFrame } from '../StreamsFrame';

type Subscription = components['schemas']['StreamsSubscription'];

const stateBadges: Record<Subscription['state'], { label: string; color: string }> = {
  active: { label: 'Streaming', color: 'teal' },
  at_risk: { label: 'Running low', color: 'orange' },
  closed: { label: 'Closed', color: 'gray' },
  liquidated: { label: 'Liquidated', color: 'red' },
};

const closeReasons: Record<NonNullable<Subscription['close_reason']>, string> = {
  operator: 'Tally closed the stream before your balance ran out, and your deposit came back.',
  subscriber: 'You closed the stream.',
  liquidated: 'Your balance ran out and the stream was liquidated: the deposit went to the liquidator.',
};

/** What one subscription's card says, by what the server knows of it. */
function subscriptionFacts(s: Subscription): Fact[] {
  const facts: Fact[] = [];
  if (s.flow_rate !== null)
    facts.push({
      label: 'Streams',
      value: `${formatTokenWei(periodAmount(BigInt(s.flow_rate), 'month'), s.token)} a month (${formatWei(s.flow_rate)} wei a second)`,
    });
  if (s.uses)
    facts.push({
      label: 'Uses left',
      value: `${s.uses.left.toLocaleString('en-US')} of ${s.uses.bought.toLocaleString('en-US')} bought (${s.uses.used.toLocaleString('en-US')} used)`,
    });
  facts.push({ label: 'Since', value: formatDateTime(s.started_at) });
  facts.push({ label: 'From your wallet', value: s.subscriber_address });
  if (s.state === 'active' || s.state === 'at_risk') {
    if (s.flow_rate !== null)
      facts.push({
        label: 'Your balance lasts until',
        value: s.runs_out_at
          ? `${formatDateTime(s.runs_out_at)}${s.closing ? ' — Tally is closing the stream now, before it runs out' : ''}`
          : s.scanned_at
            ? 'no end in sight, at your current streams'
            : 'not read yet: Tally reads your balance within minutes',
      });
  } else {
    facts.push({ label: 'Closed', value: formatDateTime(s.closed_at) });
    if (s.access_until) facts.push({ label: 'Served until', value: formatDateTime(s.access_until) });
  }
  return facts;
}

function SubscriptionCard({ subscription: s }: { subscription: Subscription }) {
  const badge = s.uses
    ? s.uses.left > 0
      ? { label: 'Uses left', color: 'teal' }
      : { label: 'All uses spent', color: 'gray' }
    : stateBadges[s.state];
  const live = s.state === 'active' || s.state === 'at_risk';
  return (
    <Card
      withBorder
      padding="md"
      radius="md"
      component="article"
      aria-label={`${s.plan.name} from ${s.producer.name}`}
    >
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={0}>
            <Title order={3} size="h4">
              {s.plan.name}
            </Title>
            <Anchor component={Link} to={`/streams/producers/${s.producer.id}`} size="sm">
              {s.producer.name}
            </Anchor>
          </Stack>
          <Badge color={badge.color} variant="light" style={{ flexShrink: 0 }}>
            {badge.label}
          </Badge>
        </Group>
        {s.state === 'at_risk' && (
          <Alert color="orange" variant="light" title="Your balance is running low">
            Wrap more {s.token} into your wallet before {formatDateTime(s.runs_out_at)}, or Tally closes the
            stream shortly before then so you keep your deposit.
          </Alert>
        )}
        {s.close_reason && !live && (
          <Text size="sm" c={s.close_reason === 'liquidated' ? 'red' : undefined}>
            {closeReasons[s.close_reason]}
          </Text>
        )}
        <Facts facts={subscriptionFacts(s)} />
        {!live && (
          <Group gap="sm">
            <Button component={Link} to={`/streams/plans/${s.plan.id}/checkout`} variant="light">
              Subscribe again
            </Button>
          </Group>
        )}
        {s.uses && (
          <Group gap="sm">
            <Button component={Link} to={`/streams/plans/${s.plan.id}/checkout`} variant="light">
              Buy more uses
            </Button>
          </Group>
        )}
        {live && s.flow_rate !== null && (
          <Group gap="sm">
            <Button component={Link} to={`/streams/subscriptions/${s.id}/change`} variant="light">
              Change plan
            </Button>
            <Button
              component={Link}
              to={`/streams/subscriptions/${s.id}/cancel`}
              variant="subtle"
              color="red"
            >
              Cancel
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** /streams/subscriptions: what the signed-in person subscribes to, streaming or closed. */
export function SubscriptionsPage() {
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user.id : 'signed-out';
  const subscriptions = useResource(
    `streams-subscriptions:${user}`,
    async () => (await call(api.GET('/api/streams/subscriptions'))).items,
  );
  return (
    <StreamsFrame
      title="Your subscriptions"
      description="Every plan you pay for, with how long your balance lasts at the rates you stream."
    >
      <ResourceView
        resource={subscriptions}
        loadingLabel="Loading your subscriptions…"
        isEmpty={(items) => items.length === 0}
        empty={
          <NothingYet title="No subscription yet">
            <Anchor component={Link} to="/streams">
              Find a producer
            </Anchor>{' '}
            and subscribe to one of its plans with your wallet.
          </NothingYet>
        }
      >
        {(items) => (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            {items.map((subscription) => (
              <SubscriptionCard key={subscription.id} subscription={subscription} />
            ))}
          </SimpleGrid>
        )}
      </ResourceView>
      <ReceiptsSection as="subscriber" />
    </StreamsFrame>
  );
}
