import { Button, Group, SegmentedControl, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import { AmountInput } from '../../../components/AmountInput';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { checkRequired } from '../../../lib/validators';
import { showCreditsErrors } from '../errors';
import { CREDITS_RULES, checkCredits, formatCredits, parseCredits } from '../format';

/** Adds credits (a grant) or takes them away (a usage), always with a reason, which the audit log keeps. */
export function AdjustCreditsForm({
  userId,
  available,
  onAdjusted,
}: {
  userId: string;
  available: string;
  onAdjusted: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  // One key per adjustment being entered: a double click or a retry after a lost answer applies it once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { direction: 'add', amount: '', reason: '', expires_at: '' },
    validateInputOnChange: true,
    validate: {
      // What can be taken away is the person's, not the administrator's: said as the hint says it.
      amount: (value, values) => {
        const problem = checkCredits()(value);
        if (problem || values.direction !== 'remove') return problem;
        return BigInt(parseCredits(value)!) > BigInt(available)
          ? `At most the ${formatCredits(available)} available can be taken away`
          : null;
      },
      reason: checkRequired('the reason for this adjustment', 500),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    const credits = parseCredits(values.amount)!;
    try {
      await call(
        api.POST('/api/credits/adjustments', {
          params: { header: { 'idempotency-key': idempotencyKey } },
          body: {
            user_id: userId,
            amount: values.direction === 'remove' ? `-${credits}` : credits,
            reason: values.reason.trim(),
            ...(values.direction === 'add' && values.expires_at
              ? { expires_at: new Date(`${values.expires_at}T23:59:59`).toISOString() }
              : {}),
          },
        }),
      );
      notifications.show({
        color: 'teal',
        message: `${values.direction === 'remove' ? 'Took away' : 'Added'} ${formatCredits(credits)}.`,
      });
      form.reset();
      setIdempotencyKey(crypto.randomUUID());
      onAdjusted();
    } catch (error) {
      // A refusal is the server's final answer, kept with the key: what is entered next is another
      // adjustment and needs a key of its own. A lost answer, or a first try still running, keeps it.
      const { status, code } = asApiError(error);
      if (status >= 400 && status < 500 && code !== 'idempotency_in_flight') {
        setIdempotencyKey(crypto.randomUUID());
      }
      setFormError(showCreditsErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  const removing = form.values.direction === 'remove';
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Adjust credits">
      <Stack gap="md">
        <SegmentedControl
          aria-label="Add or take away"
          data={[
            { value: 'add', label: 'Add credits' },
            { value: 'remove', label: 'Take credits away' },
          ]}
          {...form.getInputProps('direction')}
          onChange={(value) => {
            form.setFieldValue('direction', value);
            form.validateField('amount');
          }}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <AmountInput
            label="Amount in credits"
            required
            rules={CREDITS_RULES}
            preview={(credits) =>
              removing
                ? `Takes away ${formatCredits(credits)}.`
                : `Adds ${formatCredits(credits)} to their balance.`
            }
            {...form.getInputProps('amount')}
          />
          <TextInput
            label="Reason"
            required
            placeholder="Compensation for the outage of 3 June"
            {...form.getInputProps('reason')}
          />
          {form.values.direction === 'add' && (
            <TextInput
              label="Expires"
              description="Optional: unused credits lapse after this day."
              type="date"
              {...form.getInputProps('expires_at')}
            />
          )}
        </SimpleGrid>
        {removing && (
          <Text size="sm" c="dimmed">
            At most the {formatCredits(available)} available can be taken away.
          </Text>
        )}
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            {removing ? 'Take credits away' : 'Add credits'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
