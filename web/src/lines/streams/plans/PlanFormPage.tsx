import {
  Anchor,
  Button,
  ColorInput,
  Fieldset,
  FileInput,
  Grid,
  Group,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { StreamsPlan, StreamsPlanKind, StreamsPlanToken, StreamsPricePeriod } from '../../../api/types';
import { AmountInput } from '../../../components/AmountInput';
import type { Fact } from '../../../components/Facts';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { formatDateTime } from '../../../lib/dates';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { useForgetPlans, useOwnPlans, useOwnProducer } from '../data';
import {
  flowFigure,
  flowRateOf,
  formatTokenWei,
  formatWei,
  isoFromDateTimeInput,
  kindDescriptions,
  kindLabels,
  periodAmount,
  periodLabels,
  perPeriod,
  planPrice,
  planTokens,
  plural,
  tokenRules,
  tokenUnderlying,
} from '../format';
import { StreamsFrame } from '../StreamsFrame';
import { PlanCard, type PlanCardView } from './PlanCard';
import {
  DEFAULT_COLOUR,
  type PlanValues,
  planBody,
  planChanges,
  planChecks,
  planValues,
  weiOf,
} from './planValues';

const kinds: StreamsPlanKind[] = ['stream', 'vesting', 'usage'];
const periods: StreamsPricePeriod[] = ['hour', 'day', 'month'];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
const SWATCHES = ['#1c7ed6', '#2f9e44', '#e8590c', '#862e9c', '#c92a2a', '#212529', '#f8f9fa'];

/** Why an image cannot be a card's, or null. */
function imageProblem(file: File | null): string | null {
  if (!file) return null;
  if (!IMAGE_TYPES.includes(file.type)) return 'Choose a PNG, JPEG or WebP image';
  return file.size > IMAGE_MAX_BYTES ? 'The image is larger than 5 MB' : null;
}

/** The chosen image as the preview shows it, before it is uploaded. */
function useObjectUrl(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return url;
}

/** The card as it will look with what is typed now. */
function previewOf(values: PlanValues, imageUrl: string | null): PlanCardView {
  const token = values.token;
  const facts: Fact[] = [];
  let price = 'Its price';
  if (values.kind !== 'usage') {
    const wei = weiOf(values.price, token);
    const rate = wei === null ? null : flowRateOf(wei, values.period);
    if (rate !== null && rate > 0n) {
      price = `${formatTokenWei(periodAmount(rate, values.period), token)} ${perPeriod[values.period]}`;
      facts.push({ label: 'Flow rate', value: `${formatWei(rate)} wei a second` });
    }
  }
  if (values.kind === 'vesting') {
    const cliff = isoFromDateTimeInput(values.cliff_at);
    const start = weiOf(values.start_amount, token, true);
    facts.push(
      { label: 'Cliff date', value: cliff ? formatDateTime(cliff) : '—' },
      {
        label: 'Start amount',
        value: start === null ? '—' : `${formatTokenWei(start, token)}, paid at the cliff`,
      },
    );
  }
  if (values.kind === 'usage') {
    const each = weiOf(values.usage_price, token);
    if (each !== null) price = `${formatTokenWei(each, token)} a use`;
    const [min, max] = [values.min_usage.trim(), values.max_usage.trim()];
    facts.push({
      label: 'Uses',
      value: min && max ? `${Number(min).toLocaleString('en-US')} to ${plural(Number(max), 'use')}` : '—',
    });
  }
  facts.push({ label: 'Token', value: `${token} (wraps ${tokenUnderlying[token]})` });
  const supply = values.total_supply.trim();
  facts.push({
    label: 'Subscribers',
    value: supply ? `${Number(supply).toLocaleString('en-US')} at most` : 'No limit',
  });
  const limit = values.month_limit.trim();
  if (limit) facts.push({ label: 'Month limit', value: `${plural(Number(limit), 'use')} a month` });
  return {
    name: values.name.trim(),
    kind: values.kind,
    description: values.description.trim(),
    backgroundColor: /^#[0-9a-f]{6}$/i.test(values.background_color)
      ? values.background_color
      : DEFAULT_COLOUR,
    imageUrl,
    price,
    priceNote: values.kind !== 'usage' && values.period === 'month' ? 'A month is 30 days.' : undefined,
    facts,
  };
}

/** The line under a price: the flow rate it makes, and what a period really streams. */
function flowLine(wei: bigint, values: PlanValues): ReactNode {
  const rate = flowRateOf(wei, values.period);
  if (rate <= 0n) return 'Less than one wei a second: too small to stream.';
  const really = periodAmount(rate, values.period);
  return (
    <>
      <span data-flow-rate>{flowFigure(wei, values.period, values.token)}</span>.{' '}
      {values.period === 'month' && 'A month is 30 days. '}
      {really === wei
        ? `Subscribers pay exactly ${formatTokenWei(really, values.token)} ${perPeriod[values.period]}.`
        : `A flow rate is whole wei a second, so ${perPeriod[values.period]} really costs ${formatTokenWei(really, values.token)}.`}
    </>
  );
}

function PlanForm({ plan, onSaved }: { plan: StreamsPlan | null; onSaved: (plan: StreamsPlan) => void }) {
  const [loaded] = useState(() => planValues(plan ?? undefined));
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [image, setImage] = useState<File | null>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const imageUrl = useObjectUrl(imageError ? null : image);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm<PlanValues>({
    mode: 'controlled',
    initialValues: loaded,
    validateInputOnChange: true,
    validate: planChecks(loaded.cliff_at),
  });
  useFormDraft(form, plan ? `streams-plan:${plan.id}` : 'streams-new-plan');
  const values = form.values;
  const chooseImage = (file: File | null) => {
    setImage(file);
    setImageError(imageProblem(file));
  };
  const submit = form.onSubmit(async (typed) => {
    setProblem(null);
    if (imageError) return;
    let saved: StreamsPlan;
    try {
      saved = plan
        ? await call(
            api.PATCH('/api/streams/plans/{id}', {
              params: { path: { id: plan.id } },
              body: planChanges(typed, loaded),
            }),
          )
        : await call(api.POST('/api/streams/producer/plans', { body: planBody(typed) }));
    } catch (error) {
      setProblem(problemOf(form, error));
      focusFirstInvalid();
      return;
    }
    if (image) {
      try {
        const body = new FormData();
        body.append('file', image, image.name);
        saved = await call(
          api.PUT('/api/streams/plans/{id}/photo', {
            params: { path: { id: saved.id } },
            body: body as never,
          }),
        );
      } catch (error) {
        notifications.show({
          color: 'red',
          message: `${saved.name} is saved, but not its image: ${asApiError(error).message} Choose it again on the plan’s page.`,
        });
        onSaved(saved);
        return;
      }
    }
    notifications.show({
      color: 'teal',
      message: plan ? `${saved.name} is saved.` : `${saved.name} is published.`,
    });
    onSaved(saved);
  }, focusFirstInvalid);

  const rules = tokenRules(values.token);
  const savedImage = plan?.image_url ? `${plan.image_url}?v=${encodeURIComponent(plan.updated_at)}` : null;
  return (
    <Grid gap="xl">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <form
          ref={formRef}
          onSubmit={submit}
          noValidate
          aria-label={plan ? `Change ${plan.name}` : 'New plan'}
        >
          <Stack gap="lg">
            <Radio.Group
              label="Kind of plan"
              description={kindDescriptions[values.kind]}
              value={values.kind}
              onChange={(kind) => form.setFieldValue('kind', kind as StreamsPlanKind)}
            >
              <Group gap="lg" mt={8}>
                {kinds.map((kind) => (
                  <Radio key={kind} value={kind} label={kindLabels[kind]} disabled={plan !== null} />
                ))}
              </Group>
              {plan && (
                <Text size="xs" c="dimmed" mt={6}>
                  A plan’s kind cannot change: make a new plan for another kind.
                </Text>
              )}
            </Radio.Group>

            <Fieldset legend="What it is" variant="unstyled">
              <Stack gap="sm">
                <TextInput label="Name" required {...form.getInputProps('name')} />
                <Textarea
                  label="Description"
                  autosize
                  minRows={2}
                  maxRows={6}
                  {...form.getInputProps('description')}
                />
                <TextInput
                  label="External link"
                  description="A page of yours about the plan, if any."
                  type="url"
                  {...form.getInputProps('external_link')}
                />
              </Stack>
            </Fieldset>

            <Fieldset legend="Price" variant="unstyled">
              <Stack gap="sm">
                <Radio.Group
                  label="Token"
                  description="Subscribers pay in this super token; checkout wraps their DAI or USDC into it."
                  value={values.token}
                  onChange={(token) => form.setFieldValue('token', token as StreamsPlanToken)}
                >
                  <Group gap="lg" mt={8}>
                    {planTokens.map((token) => (
                      <Radio key={token} value={token} label={`${token} (${tokenUnderlying[token]})`} />
                    ))}
                  </Group>
                </Radio.Group>
                {values.kind !== 'usage' && (
                  <>
                    <Radio.Group
                      label="Per"
                      value={values.period}
                      onChange={(period) => form.setFieldValue('period', period as StreamsPricePeriod)}
                    >
                      <Group gap="lg" mt={8}>
                        {periods.map((period) => (
                          <Radio key={period} value={period} label={periodLabels[period]} />
                        ))}
                      </Group>
                    </Radio.Group>
                    <AmountInput
                      label={`Price ${perPeriod[values.period]}`}
                      required
                      rules={rules}
                      preview={(wei) => flowLine(wei, values)}
                      {...form.getInputProps('price')}
                    />
                  </>
                )}
                {values.kind === 'vesting' && (
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
                    <TextInput
                      type="datetime-local"
                      label="Cliff date"
                      description="The stream starts then, in your time zone; nothing flows before."
                      required
                      step={60}
                      {...form.getInputProps('cliff_at')}
                    />
                    <AmountInput
                      label="Start amount"
                      description="Paid at the cliff date."
                      required
                      rules={tokenRules(values.token, true)}
                      {...form.getInputProps('start_amount')}
                    />
                  </SimpleGrid>
                )}
                {values.kind === 'usage' && (
                  <>
                    <AmountInput
                      label="Price per use"
                      required
                      rules={rules}
                      {...form.getInputProps('usage_price')}
                    />
                    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
                      <TextInput
                        label="Fewest uses"
                        description="A subscriber buys at least this many."
                        inputMode="numeric"
                        required
                        {...form.getInputProps('min_usage')}
                      />
                      <TextInput
                        label="Most uses"
                        description="And at most this many (up to 1,000,000)."
                        inputMode="numeric"
                        required
                        {...form.getInputProps('max_usage')}
                      />
                    </SimpleGrid>
                  </>
                )}
              </Stack>
            </Fieldset>

            <Fieldset legend="Availability" variant="unstyled">
              <Stack gap="sm">
                <Radio.Group
                  label="Status"
                  description="An inactive plan takes no new subscribers; those it has keep their subscription."
                  value={values.status}
                  onChange={(status) => form.setFieldValue('status', status as PlanValues['status'])}
                >
                  <Group gap="lg" mt={8}>
                    <Radio value="active" label="Active" />
                    <Radio value="inactive" label="Inactive" />
                  </Group>
                </Radio.Group>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
                  <TextInput
                    type="datetime-local"
                    label="Start date"
                    description={plan ? 'New subscriptions from then on.' : 'Empty: from now on.'}
                    step={60}
                    {...form.getInputProps('starts_at')}
                  />
                  <TextInput
                    label="Total supply"
                    description="The most subscribers at once; empty: no limit."
                    inputMode="numeric"
                    {...form.getInputProps('total_supply')}
                  />
                  <TextInput
                    label="Month limit"
                    description="Uses a subscription may report in a month; empty: none."
                    inputMode="numeric"
                    {...form.getInputProps('month_limit')}
                  />
                  <TextInput
                    label="Grace, in hours"
                    description="Access kept after Tally closed a stream that ran dry."
                    inputMode="decimal"
                    {...form.getInputProps('grace_hours')}
                  />
                </SimpleGrid>
              </Stack>
            </Fieldset>

            <Fieldset legend="Card" variant="unstyled">
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
                <ColorInput
                  label="Background colour"
                  description="The card’s colour in the plan list and the widget."
                  format="hex"
                  swatches={SWATCHES}
                  {...form.getInputProps('background_color')}
                />
                <FileInput
                  label="Card image"
                  description={
                    plan?.image_url
                      ? 'PNG, JPEG or WebP, up to 5 MB: replaces the image it has.'
                      : 'PNG, JPEG or WebP, up to 5 MB.'
                  }
                  accept={IMAGE_TYPES.join(',')}
                  placeholder="Choose an image"
                  clearable
                  value={image}
                  onChange={chooseImage}
                  error={imageError}
                />
              </SimpleGrid>
            </Fieldset>

            <FormErrorAlert message={problem} />
            <Group>
              <Button type="submit" loading={form.submitting}>
                {plan ? 'Save the plan' : 'Publish the plan'}
              </Button>
              <Button component={Link} to="/streams/producer" variant="default">
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Stack gap="xs" style={{ position: 'sticky', top: 'var(--mantine-spacing-md)' }}>
          <Text size="sm" fw={700}>
            How consumers will see it
          </Text>
          <PlanCard
            view={previewOf(values, imageUrl ?? savedImage)}
            label="Preview of the plan’s card"
            footer={
              <Text size="xs" c="dimmed">
                {values.status === 'inactive'
                  ? 'Inactive: consumers do not see it.'
                  : 'Shown on your public page once it starts.'}
              </Text>
            }
          />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

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
