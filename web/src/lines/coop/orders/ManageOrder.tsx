import { Button, Group, Stack, Text, TextInput, type TextInputProps } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { CoopOrderDetail } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { SectionCard } from '../../../components/SectionCard';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { dateTimeInput, formatToTheSecond, isoFromDateTimeInput } from '../../../lib/dates';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { plural } from '../format';

type Apply = (order: CoopOrderDetail) => Promise<void>;

const checkDeadline = (value: string) => {
  if (!value) return 'Enter the date and time households order until';
  return isoFromDateTimeInput(value) === null ? 'Enter a date and a time, such as 2026-06-12 18:00' : null;
};

/** The deadline field: a date and a time in the reader's own time zone. */
function DeadlineInput(props: TextInputProps) {
  return (
    <TextInput
      type="datetime-local"
      label="Deadline"
      description="Households order until then, in your time zone; the order then closes by itself."
      required
      step={60}
      {...props}
    />
  );
}

/** An order being prepared opens once every producer answered: households order until the deadline. */
function OpenOrderForm({ order, onChanged }: { order: CoopOrderDetail; onChanged: Apply }) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { deadline: '', pickup: order.pickup },
    validateInputOnChange: true,
    validate: { deadline: checkDeadline },
  });
  useFormDraft(form, 'open-order');
  const waiting = order.missing_answers;
  const nobody = order.producers.length > 0 && !order.producers.some((p) => p.answer === 'available');
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const opened = await call(
        api.POST('/api/coop/orders/{id}/open', {
          params: { path: { id: order.id } },
          body: { deadline: isoFromDateTimeInput(values.deadline)!, pickup: values.pickup.trim() },
        }),
      );
      await onChanged(opened);
      notifications.show({
        color: 'teal',
        message: `Order ${opened.number} is open until ${formatToTheSecond(opened.deadline)}: households are told.`,
      });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  const blocked =
    waiting.length > 0
      ? `Waiting for ${plural(waiting.length, 'producer')} to answer: ${waiting.map((p) => p.name).join(', ')}.`
      : nobody
        ? 'No producer can deliver this time: there is nothing to order.'
        : null;
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Open the order">
      <Stack gap="sm" maw={520}>
        <DeadlineInput {...form.getInputProps('deadline')} />
        <TextInput
          label="Pick-up"
          description="Where and when households pick their food up."
          maxLength={300}
          {...form.getInputProps('pickup')}
        />
        <FormErrorAlert message={formError} />
        <Group gap="sm">
          <Button type="submit" loading={form.submitting} disabled={blocked !== null}>
            Open the order
          </Button>
          {blocked && (
            <Text size="sm" c="dimmed">
              {blocked}
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** Moving an open order's deadline, or changing where food is picked up, until the order is finished. */
function DeadlineAndPickupForm({ order, onChanged }: { order: CoopOrderDetail; onChanged: Apply }) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const open = order.status === 'open';
  const initial = { deadline: dateTimeInput(order.deadline), pickup: order.pickup };
  const form = useForm({
    mode: 'controlled',
    initialValues: initial,
    validateInputOnChange: true,
    validate: { deadline: (value) => (open ? checkDeadline(value) : null) },
  });
  useFormDraft(form, 'order-deadline-and-pickup');
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    const deadlineChanged = open && values.deadline !== initial.deadline;
    try {
      const saved = await call(
        api.PATCH('/api/coop/orders/{id}', {
          params: { path: { id: order.id } },
          body: {
            ...(deadlineChanged ? { deadline: isoFromDateTimeInput(values.deadline)! } : {}),
            ...(values.pickup !== initial.pickup ? { pickup: values.pickup.trim() } : {}),
          },
        }),
      );
      const next = { deadline: dateTimeInput(saved.deadline), pickup: saved.pickup };
      form.setValues(next);
      form.resetDirty(next);
      await onChanged(saved);
      notifications.show({ color: 'teal', message: `Order ${saved.number} is saved.` });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={open ? 'Deadline and pick-up' : 'Pick-up'}>
      <Stack gap="sm" maw={520}>
        {open && <DeadlineInput {...form.getInputProps('deadline')} />}
        <TextInput
          label="Pick-up"
          description="Where and when households pick their food up."
          maxLength={300}
          {...form.getInputProps('pickup')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" variant="default" loading={form.submitting} disabled={!form.isDirty()}>
            {open ? 'Save the deadline and pick-up' : 'Save the pick-up'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** What an order manager (or the Admin) does with the order in its state: open it, close it, move its dates. */
export function ManageOrder({ order, onChanged }: { order: CoopOrderDetail; onChanged: Apply }) {
  if (order.status === 'finished') return null;
  const close = async () => {
    const closed = await call(
      api.POST('/api/coop/orders/{id}/close', { params: { path: { id: order.id } } }),
    );
    await onChanged(closed);
    notifications.show({
      color: 'teal',
      message: `Order ${closed.number} is closed: what ran short is shared and the order sheets go to the liaisons.`,
    });
  };
  return (
    <Stack gap="lg">
      {order.status === 'preparing' && (
        <div id="open-order">
          <SectionCard
            title="Open the order"
            description="Once every producer answered: households are told, and order from the producers that can deliver until the deadline."
          >
            <OpenOrderForm order={order} onChanged={onChanged} />
          </SectionCard>
        </div>
      )}
      {order.status === 'open' && (
        <div id="close-order">
          <SectionCard
            title="Close the order"
            description={`It closes by itself at the deadline, ${formatToTheSecond(order.deadline)}. Close it now only when every household is done.`}
          >
            <Group>
              <ConfirmButton
                label="Close now"
                size="sm"
                question={`Close order ${order.number} now?`}
                consequence="Households can no longer change what they ordered. What ran short is shared by the club’s rule, and each liaison gets the order sheet for their producer."
                confirmLabel="Close the order"
                onConfirm={close}
              />
            </Group>
          </SectionCard>
        </div>
      )}
      {order.status !== 'preparing' && (
        <SectionCard
          title={order.status === 'open' ? 'Deadline and pick-up' : 'Pick-up'}
          description={
            order.status === 'open'
              ? 'A new deadline shows on the order’s page and in its activity.'
              : 'The deadline has passed; where food is picked up can still change.'
          }
        >
          <DeadlineAndPickupForm
            key={`${order.deadline}:${order.pickup}`}
            order={order}
            onChanged={onChanged}
          />
        </SectionCard>
      )}
    </Stack>
  );
}
