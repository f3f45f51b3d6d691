import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { StreamsPlan, StreamsPlanKind, StreamsProducer } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { formatDateTime } from '../../../lib/dates';
import { useOwnPlans, useOwnProducer } from '../data';
import { kindLabels, plural } from '../format';
import { StreamsFrame } from '../StreamsFrame';
import { PlansTable } from './PlansTable';
import { ProducerForm } from './ProducerForm';

const kinds: StreamsPlanKind[] = ['stream', 'vesting', 'usage'];

/**
 * The top of the producer's page (seed: "the number of active plans, the total number of consumers"):
 * what the API knows today. Subscriptions do not exist yet, so consumers and inflow read as none,
 * never as a made-up figure.
 */
function Statistics({ plans }: { plans: StreamsPlan[] }) {
  const active = plans.filter((plan) => plan.status === 'active');
  const open = plans.filter((plan) => plan.open);
  const later = active.length - open.length;
  const byKind = kinds
    .map((kind) => `${plans.filter((plan) => plan.kind === kind).length} ${kindLabels[kind].toLowerCase()}`)
    .join(' · ');
  return (
    <SectionCard title="Statistics" description="Your plans as they stand now.">
      <Facts
        facts={[
          { label: 'Active plans', value: `${active.length} of ${plural(plans.length, 'plan')}` },
          {
            label: 'Open to subscribers',
            value: later > 0 ? `${open.length} now, ${later} from their start date` : String(open.length),
          },
          { label: 'Inactive plans', value: String(plans.length - active.length) },
          { label: 'Plans by kind', value: byKind },
          { label: 'Consumers', value: '0 (no subscriber yet)' },
          { label: 'Monthly inflow', value: '0 (no subscriber yet)' },
        ]}
      />
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
  return (
    <Stack gap="lg">
      <ResourceView resource={plans} loadingLabel="Loading your plans…">
        {(items) => <Statistics plans={items} />}
      </ResourceView>
      <SectionCard
        title="Profile"
        description={
          <>
            What consumers see on{' '}
            <Anchor component={Link} to={`/streams/producers/${producer.id}`} inherit>
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
                  <Anchor component={Link} to="/streams" inherit>
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
