import {
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
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { StreamsPlan, StreamsPlanKind, StreamsPlanToken, StreamsPricePeriod } from '../../../api/types';
import { AmountInput } from '../../../components/AmountInput';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import {
  kindDescriptions,
  kindLabels,
  periodLabels,
  perPeriod,
  planTokens,
  tokenRules,
  tokenUnderlying,
} from '../format';
import { PlanCard } from './PlanCard';
import { flowLine, previewOf } from './planPreview';
import { type PlanValues, planBody, planChanges, planChecks, planValues } from './planValues';

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

/** A plan of one of the seed's three kinds, new or saved, beside the card it makes. */
export function PlanForm({
  plan,
  onSaved,
}: {
  plan: StreamsPlan | null;
  onSaved: (plan: StreamsPlan) => void;
}) {
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
                  eyeDropperButtonProps={{ 'aria-label': 'Pick the colour from the screen' }}
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
