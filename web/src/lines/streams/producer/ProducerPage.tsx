import { AreaChart } from '@mantine/charts';
import { Anchor, Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { StreamsPlan, StreamsPlanKind, StreamsProducer, StreamsProducerStats } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { formatDateTime } from '../../../lib/dates';
import { useOwnPlans, useOwnProducer, useProducerStats } from '../data';
import { formatTokenWei, kindLabels, plural } from '../format';
import { ReceiptsSection } from '../receipts/ReceiptsSection';
import { StreamsFrame } from '../StreamsFrame';
import { PlansTable } from './PlansTable';
import { ProducerForm } from './ProducerForm';
import { WebhooksSection } from './WebhooksSection';

const kinds: StreamsPlanKind[] = ['stream', 'vesting', 'usage'];

/** A month of inflow per token, exactly: "10.00 DAIx and 2.59 USDCx". */
const inflowWords = (inflow: StreamsProducerStats['monthly_inflow']): string =>
  inflow.length === 0 ? 'none yet' : inflow.map((i) => formatTokenWei(i.wei, i.token)).join(' and ');

/** Whole units of a token, for drawing only (every figure in words is exact). */
const drawn = (wei: string): number => Number(BigInt(wei) / 10n ** 12n) / 1e6;

/**
 * The top of the producer's page (seed: "the number of active plans, the total number of
 * consumers, and other basic statistical data", as graphs): the plans as they stand, the wallets
 * streaming now and what they bring in a month, and both day by day over the last 30 days.
 */
function Statistics({ plans, stats }: { plans: StreamsPlan[]; stats: StreamsProducerStats }) {
  const active = plans.filter((plan) => plan.status === 'active');
  const open = plans.filter((plan) => plan.open);
  const later = active.length - open.length;
  const byKind = kinds
    .map((kind) => `${plans.filter((plan) => plan.kind === kind).length} ${kindLabels[kind].toLowerCase()}`)
    .join(' · ');
  const tokens = [...new Set(stats.history.flatMap((point) => point.monthly_inflow.map((i) => i.token)))];
  const days = stats.history.map((point) => ({
    day: point.day.slice(5),
    subscriptions: point.subscriptions,
    ...Object.fromEntries(
      tokens.map((token) => [token, drawn(point.monthly_inflow.find((i) => i.token === token)?.wei ?? '0')]),
    ),
  }));
  const last = stats.history.at(-1);
  return (
    <SectionCard
      title="Statistics"
      description="Your plans as they stand, who streams to you, and the last 30 days."
    >
      <Stack gap="md">
        <Facts
          facts={[
            { label: 'Active plans', value: `${active.length} of ${plural(plans.length, 'plan')}` },
            {
              label: 'Open to subscribers',
              value: later > 0 ? `${open.length} now, ${later} from their start date` : String(open.length),
            },
            { label: 'Inactive plans', value: String(plans.length - active.length) },
            { label: 'Plans by kind', value: byKind },
            {
              label: 'Consumers',
              value: stats.consumers === 0 ? '0 (no subscriber yet)' : plural(stats.consumers, 'wallet'),
            },
            { label: 'Monthly inflow (30 days)', value: inflowWords(stats.monthly_inflow) },
          ]}
        />
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <figure
            style={{ margin: 0 }}
            aria-label={`Subscriptions running at each day’s end over the last 30 days; ${last?.subscriptions ?? 0} today`}
          >
            <Text size="sm" fw={600} mb="xs">
              Subscribers
            </Text>
            <AreaChart
              h={180}
              data={days}
              dataKey="day"
              series={[{ name: 'subscriptions', label: 'Subscriptions', color: 'blue.7' }]}
              curveType="step"
              withDots={false}
              yAxisProps={{ allowDecimals: false, width: 40 }}
            />
          </figure>
          <figure
            style={{ margin: 0 }}
            aria-label={`Monthly inflow at each day’s end over the last 30 days; ${inflowWords(last?.monthly_inflow ?? [])} today`}
          >
            <Text size="sm" fw={600} mb="xs">
              Monthly inflow
            </Text>
            {tokens.length === 0 ? (
              <Text size="sm" c="dimmed">
                Nothing has streamed to you yet.
              </Text>
            ) : (
              <AreaChart
                h={180}
                data={days}
                dataKey="day"
                series={tokens.map((token, n) => ({
                  name: token,
                  label: token,
                  color: n === 0 ? 'teal.7' : 'grape.7',
                }))}
                curveType="step"
                withDots={false}
                yAxisProps={{ width: 60 }}
              />
            )}
          </figure>
        </SimpleGrid>
      </Stack>
    </SectionCard>
  );
}

function Plans({ plans }: { plans: StreamsPlan[] }) {
  return (
    <SectionCard
      title="Plans"
      description="A stream priced per hour, day or month (a month is 30 days), a vesting stream that starts at a cliff date, or a number of uses at a price each."
      actions={
        plans.length > 0 && (
          <Button component={Link} to="/streams/producer/plans/new">
            New plan
          </Button>
        )
      }
    >
      {plans.length === 0 ? (
        <NothingYet
          title="No plan yet"
          action={
            <Button component={Link} to="/streams/producer/plans/new">
              New plan
            </Button>
          }
        >
          Publish a first plan: consumers find it on your page and subscribe.
        </NothingYet>
      ) : (
        <PlansTable plans={plans} />
      )}
    </SectionCard>
  );
}

function ProducerDashboard({
  producer,
  onSaved,
}: {
  producer: StreamsProducer;
  onSaved: (producer: StreamsProducer) => void;
}) {
  const plans = useOwnPlans();
  const stats = useProducerStats();
  return (
    <Stack gap="lg">
      <ResourceView resource={plans} loadingLabel="Loading your plans…">
        {(items) => (
          <ResourceView resource={stats} loadingLabel="Loading your statistics…">
            {(figures) => <Statistics plans={items} stats={figures} />}
          </ResourceView>
        )}
      </ResourceView>
      <SectionCard
        title="Profile"
        description={
          <>
            What consumers see on{' '}
            <Anchor component={Link} to={`/streams/producers/${producer.id}`} inherit underline="always">
              your public page
            </Anchor>
            .
          </>
        }
      >
        <Facts
          facts={[
            {
              label: 'Payout wallet',
              value: <CopyValue value={producer.payout_address} label="Payout wallet" />,
            },
            { label: 'Producer since', value: formatDateTime(producer.created_at) },
          ]}
        />
        <ProducerForm key={producer.id} producer={producer} onSaved={onSaved} />
      </SectionCard>
      <ResourceView resource={plans} loadingLabel="Loading your plans…">
        {(items) => <Plans plans={items} />}
      </ResourceView>
      <ReceiptsSection as="producer" />
      <WebhooksSection producerId={producer.id} />
    </Stack>
  );
}

/** /streams/producer: register as a producer, then the producer's statistics, profile and plans. */
export function ProducerPage() {
  const producer = useOwnProducer();
  return (
    <StreamsFrame
      title={producer.data?.name ?? 'Your producer page'}
      description="Publish plans that consumers pay for with tokens streamed every second."
    >
      <ResourceView resource={producer} loadingLabel="Loading your producer profile…">
        {(data) =>
          data ? (
            <ProducerDashboard producer={data} onSaved={producer.replace} />
          ) : (
            <SectionCard
              title="Register as a producer"
              description="One producer per person: the name and site consumers find you by, what you offer, and the wallet their streams flow to."
            >
              <ProducerForm producer={null} onSaved={producer.replace} />
              <Group>
                <Text size="sm" c="dimmed">
                  Looking for something to subscribe to instead?{' '}
                  <Anchor component={Link} to="/streams" inherit underline="always">
                    Browse the producers.
                  </Anchor>
                </Text>
              </Group>
            </SectionCard>
          )
        }
      </ResourceView>
    </StreamsFrame>
  );
}
