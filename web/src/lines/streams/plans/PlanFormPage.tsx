import { Anchor, Stack, Text } from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router';
import type { StreamsPlan } from '../../../api/types';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { formatDateTime } from '../../../lib/dates';
import { useForgetPlans, useOwnPlans, useOwnProducer } from '../data';
import { kindLabels, planPrice } from '../format';
import { StreamsFrame } from '../StreamsFrame';
import { PlanForm } from './PlanForm';

/** A change to one of the producer's plans: found among their own, or not theirs. */
function EditPlan({ planId }: { planId: string }) {
  const plans = useOwnPlans();
  const forget = useForgetPlans();
  const navigate = useNavigate();
  return (
    <ResourceView resource={plans} loadingLabel="Loading the plan…">
      {(items) => {
        const plan = items.find((item) => item.id === planId);
        if (!plan)
          return (
            <SectionCard title="Plan not found">
              <Text size="sm">
                This plan is not one of yours.{' '}
                <Anchor component={Link} to="/streams/producer" inherit>
                  See your plans.
                </Anchor>
              </Text>
            </SectionCard>
          );
        return (
          <Stack gap="lg">
            <PlanCardSummary plan={plan} />
            <PlanForm
              key={plan.updated_at}
              plan={plan}
              onSaved={async () => {
                await forget();
                navigate('/streams/producer');
              }}
            />
          </Stack>
        );
      }}
    </ResourceView>
  );
}

/** Where a saved plan stands, above its form. */
function PlanCardSummary({ plan }: { plan: StreamsPlan }) {
  return (
    <Text size="sm" c="dimmed">
      {kindLabels[plan.kind]} plan, {planPrice(plan)}. Published {formatDateTime(plan.created_at)};{' '}
      {plan.status === 'inactive'
        ? 'inactive: it takes no new subscribers.'
        : plan.open
          ? 'open to subscribers.'
          : `open to subscribers from ${formatDateTime(plan.starts_at)}.`}
    </Text>
  );
}

/** /streams/producer/plans/new and /streams/producer/plans/:planId: a plan of one of the seed's three kinds. */
export function PlanFormPage() {
  const { planId } = useParams();
  const producer = useOwnProducer();
  const forget = useForgetPlans();
  const navigate = useNavigate();
  return (
    <StreamsFrame
      title={planId ? 'Change a plan' : 'New plan'}
      description="Choose the kind, then its price; the card on the right is what consumers will see."
    >
      <ResourceView resource={producer} loadingLabel="Loading your producer profile…">
        {(data) =>
          data === null ? (
            <SectionCard title="Register as a producer first">
              <Text size="sm">
                Plans belong to a producer.{' '}
                <Anchor component={Link} to="/streams/producer" inherit>
                  Register as a producer
                </Anchor>
                : it takes a name and the wallet your streams flow to.
              </Text>
            </SectionCard>
          ) : planId ? (
            <EditPlan planId={planId} />
          ) : (
            <PlanForm
              plan={null}
              onSaved={async () => {
                await forget();
                navigate('/streams/producer');
              }}
            />
          )
        }
      </ResourceView>
    </StreamsFrame>
  );
}
