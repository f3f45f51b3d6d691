import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { CoopOrderDetail } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { formatToTheSecond } from '../../../lib/dates';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { unconfirmedDeliveries } from './resources';

type Apply = (order: CoopOrderDetail) => Promise<void>;

/** Whether the order is reopened for a correction: closed again after it was processed. */
export const inCorrection = (order: CoopOrderDetail): boolean =>
  order.status === 'closed' && order.corrections > 0;

/**
 * The bookkeeper reopens a processed or finished order to correct a delivery. The reason is what
 * every household whose bill changes reads, so it is asked for in their words.
 */
export function ReopenForCorrection({ order, onChanged }: { order: CoopOrderDetail; onChanged: Apply }) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { reason: '' },
    validate: { reason: (value) => (value.trim() ? null : 'Say why: households whose bill changes read it') },
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const reopened = await call(
        api.POST('/api/coop/orders/{id}/reopen', {
          params: { path: { id: order.id } },
          body: { reason: values.reason.trim() },
        }),
      );
      form.reset();
      await onChanged(reopened);
      notifications.show({
        color: 'teal',
        message: `Order ${reopened.number} is reopened: reopen a producer’s delivery check to correct it.`,
      });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Reopen for a correction">
      <Stack gap="sm" maw={560}>
        <Textarea
          label="Why"
          description="For example: “Flat 3B’s potatoes were weighed at 4.2 kg, not 2.4 kg”. Every household whose bill changes is told."
          autosize
          minRows={2}
          maxLength={500}
          required
          {...form.getInputProps('reason')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" variant="default" loading={form.submitting}>
            Reopen for a correction
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * While the order is reopened: why, and what settles it. Bills are made again when the last
 * delivery is confirmed; when nothing needed a new check, the bookkeeper settles it by hand.
 */
export function CorrectionInProgress({ order, onChanged }: { order: CoopOrderDetail; onChanged: Apply }) {
  if (!inCorrection(order) || !order.reopened) return null;
  const waiting = unconfirmedDeliveries(order);
  const settle = async () => {
    const settled = await call(
      api.POST('/api/coop/orders/{id}/correction/settle', { params: { path: { id: order.id } } }),
    );
    await onChanged(settled);
    notifications.show({
      color: 'teal',
      message: `Order ${settled.number}: the correction is settled; households whose bill changed are told.`,
    });
  };
  return (
    <Alert color="orange" title={`Reopened for a correction, ${formatToTheSecond(order.reopened.at)}`}>
      <Stack gap="xs">
        <Text size="sm">{order.reopened.reason}</Text>
        <Text size="sm">
          {waiting.length > 0
            ? `Correct and confirm ${waiting.map((p) => p.name).join(', ')}’s delivery: the bills are made again once every delivery is confirmed. A changed bill is reversed and posted anew, and its household is told what changed and why.`
            : 'Reopen a producer’s delivery check to correct it. Once every delivery is confirmed again, the bills are made again and each household whose bill changed is told.'}
        </Text>
        {order.mine.books && waiting.length === 0 && (
          <Group>
            <ConfirmButton
              label="Settle the correction"
              size="sm"
              question={`Settle the correction of order ${order.number}?`}
              consequence="Bills are made again from the deliveries as they stand. Nothing changes for a household whose bill stays the same."
              confirmLabel="Settle"
              onConfirm={settle}
            />
          </Group>
        )}
      </Stack>
    </Alert>
  );
}
