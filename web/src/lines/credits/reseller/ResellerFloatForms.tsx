import { Button, Group, SimpleGrid, Stack, Switch } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import { AmountInput } from '../../../components/AmountInput';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { showCreditsErrors } from '../errors';
import { CREDITS_RULES, checkCredits, formatCredits, parseCredits } from '../format';

/** Moves credits from the reseller's pool on Tally into its database's float. */
export function TopUpForm({ mainAvailable, onTopUp }: { mainAvailable: string; onTopUp: () => void }) {
  const [formError, setFormError] = useState<string | null>(null);
  // One key per top-up being entered: a double click or a retry after a lost answer moves it once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { amount: '' },
    validateInputOnChange: true,
    validate: { amount: (value) => checkCredits({ max: mainAvailable })(value) },
  });
  const submit = form.onSubmit(async ({ amount }) => {
    setFormError(null);
    const credits = parseCredits(amount)!;
    try {
      await call(
        api.POST('/api/credits/whitelabel/float/top-ups', {
          params: { header: { 'idempotency-key': idempotencyKey } },
          body: { amount: credits },
        }),
      );
      notifications.show({
        color: 'teal',
        message: `${formatCredits(credits)} on their way to your shop’s database.`,
      });
      form.reset();
      setIdempotencyKey(crypto.randomUUID());
      onTopUp();
    } catch (error) {
      // A refusal is final and kept with its key: the next try is another top-up with a key of its own.
      const { status, code } = asApiError(error);
      if (status >= 400 && status < 500 && code !== 'idempotency_in_flight') {
        setIdempotencyKey(crypto.randomUUID());
      }
      setFormError(showCreditsErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Top up your float">
      <Stack gap="md">
        <AmountInput
          label="Credits to move in"
          description={`You have ${formatCredits(mainAvailable)} available on Tally.`}
          required
          maw={320}
          rules={CREDITS_RULES}
          preview={(credits) => `Moves ${formatCredits(credits)} into your shop’s float.`}
          {...form.getInputProps('amount')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Top up
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export interface FloatSettingsValues {
  auto_top_up: boolean;
  threshold: string;
  amount: string;
}

/** The automatic top-up: when the float falls under the threshold, the amount is moved in. */
export function AutoTopUpForm({
  current,
  onSaved,
}: {
  current: FloatSettingsValues | null;
  onSaved: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      auto_top_up: current?.auto_top_up ?? false,
      threshold: current?.threshold ?? '',
      amount: current?.amount ?? '',
    },
    validateInputOnChange: true,
    validate: { threshold: checkCredits({ allowZero: true }), amount: checkCredits() },
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await call(
        api.PUT('/api/credits/whitelabel/float/settings', {
          body: {
            auto_top_up: values.auto_top_up,
            threshold: parseCredits(values.threshold)!,
            amount: parseCredits(values.amount)!,
          },
        }),
      );
      notifications.show({ color: 'teal', message: 'Automatic top-up saved.' });
      onSaved();
    } catch (error) {
      setFormError(showCreditsErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Automatic top-up">
      <Stack gap="md">
        <Switch label="Top up automatically" {...form.getInputProps('auto_top_up', { type: 'checkbox' })} />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" maw={640}>
          <AmountInput
            label="When the float falls under"
            required
            rules={CREDITS_RULES}
            preview={(credits) => `Under ${formatCredits(credits)} available.`}
            {...form.getInputProps('threshold')}
          />
          <AmountInput
            label="Move in"
            required
            rules={CREDITS_RULES}
            preview={(credits) => `${formatCredits(credits)} each time.`}
            {...form.getInputProps('amount')}
          />
        </SimpleGrid>
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Save automatic top-up
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
