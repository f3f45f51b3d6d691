import { Anchor, Button, Group, Modal, Radio, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopBadPaymentReason, CoopOrderBill, CoopOrderDetail } from '../../../api/types';
import { AmountInput } from '../../../components/AmountInput';
import { DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { checkAmount, parseAmount } from '../../../lib/amounts';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { PayProducers } from '../books/PaymentFile';
import { bankPath } from '../books/resources';
import { ClubFrame, useClub, useCoopRefresh } from '../club/ClubLayout';
import { badPaymentReasonLabels, editableEuros, formatEuros, paymentStateLabels } from '../format';
import { CorrectionInProgress, ReopenForCorrection } from './Correction';
import { EUROS, eurosPreview } from './Invoices';
import { OrderStateLine } from './OrderPage';
import { orderPaths, useOrder } from './resources';
import { PaymentBadge } from './status';

type Apply = (order: CoopOrderDetail) => Promise<void>;

/** What is wrong with a payment, as the bookkeeper flags it; the household is told and asked to put it right. */
function BadPaymentForm({
  order,
  bill,
  onDone,
}: {
  order: CoopOrderDetail;
  bill: CoopOrderBill;
  onDone: Apply;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm<{ reason: CoopBadPaymentReason; paid: string; text: string }>({
    mode: 'controlled',
    initialValues: { reason: 'payment_missing', paid: '', text: '' },
    validateInputOnChange: true,
    validate: {
      paid: (value, values) => (values.reason === 'bad_amount' ? checkAmount(EUROS)(value) : null),
      text: (value, values) =>
        values.reason === 'other' && !value.trim() ? 'Say what is wrong with the payment' : null,
    },
  });
  useFormDraft(form, `bad-payment:${bill.household_id}`);
  // The bookkeeper types the payment the bank shows; the bill is told everything that arrived for it.
  const before = BigInt(bill.received_cents);
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    const paid = parseAmount(values.paid, EUROS);
    try {
      const saved = await call(
        api.POST('/api/coop/orders/{id}/bills/{householdId}/bad-payment', {
          params: { path: { id: order.id, householdId: bill.household_id } },
          body: {
            reason: values.reason,
            ...(values.reason === 'bad_amount' && paid.ok
              ? { paid: editableEuros((before + paid.minor).toString()) }
              : {}),
            ...(values.reason === 'other' ? { text: values.text.trim() } : {}),
          },
        }),
      );
      // The next payment to flag is another one: its amount is typed afresh.
      form.reset();
      await onDone(saved);
      notifications.show({ color: 'teal', message: `${bill.name} is told their payment is not right.` });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={`Bad payment of ${bill.name}`}>
      <Stack gap="sm">
        <Text size="sm">
          The bill is {formatEuros(bill.total_cents)}; {formatEuros(bill.received_cents)} is marked received.
        </Text>
        <Radio.Group label="What is wrong" required {...form.getInputProps('reason')}>
          <Stack gap={6} mt={6}>
            {(Object.keys(badPaymentReasonLabels) as CoopBadPaymentReason[]).map((reason) => (
              <Radio key={reason} value={reason} label={badPaymentReasonLabels[reason]} />
            ))}
          </Stack>
        </Radio.Group>
        {form.values.reason === 'bad_amount' && (
          <AmountInput
            label="Amount of this payment"
            required
            rules={EUROS}
            preview={
              before > 0n
                ? (minor) =>
                    `Saved as ${formatEuros(minor)}: with the ${formatEuros(before)} received before, ${formatEuros(before + minor)} arrived in all.`
                : eurosPreview
            }
            {...form.getInputProps('paid')}
          />
        )}
        {form.values.reason === 'other' && (
          <Textarea
            label="What is wrong"
            description="The household reads it as you write it."
            required
            autosize
            minRows={2}
            maxLength={1000}
            {...form.getInputProps('text')}
          />
        )}
        <FormErrorAlert message={formError} />
        <Group justify="flex-end">
          <Button type="submit" color="red" loading={form.submitting}>
            Flag the payment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function BillActions({
  order,
  bill,
  onChanged,
}: {
  order: CoopOrderDetail;
  bill: CoopOrderBill;
  onChanged: Apply;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (order.status !== 'processed' || bill.payment_state === 'paid') return null;
  const received = async () => {
    setBusy(true);
    setError(null);
    try {
      const saved = await call(
        api.POST('/api/coop/orders/{id}/bills/{householdId}/received', {
          params: { path: { id: order.id, householdId: bill.household_id } },
        }),
      );
      await onChanged(saved);
      notifications.show({ color: 'teal', message: `${bill.name}’s payment is marked received.` });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={4} align="flex-end">
      <Group gap="xs" justify="flex-end" wrap="nowrap">
        <Button
          size="xs"
          loading={busy}
          onClick={() => void received()}
          aria-label={`Received from ${bill.name}`}
        >
          Received
        </Button>
        <Button
          size="xs"
          variant="default"
          color="red"
          onClick={open}
          aria-label={`Bad payment from ${bill.name}`}
        >
          Bad payment
        </Button>
      </Group>
      {error && (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      )}
      <Modal opened={opened} onClose={close} title={`${bill.name}: bad payment`} centered>
        <BadPaymentForm
          order={order}
          bill={bill}
          onDone={async (saved) => {
            close();
            await onChanged(saved);
          }}
        />
      </Modal>
    </Stack>
  );
}

function badWords(bill: CoopOrderBill): string | null {
  if (bill.payment_state !== 'bad') return null;
  if (bill.bad_reason === 'other') return bill.bad_text ? `“${bill.bad_text}”` : 'Something else';
  return bill.bad_reason ? badPaymentReasonLabels[bill.bad_reason as CoopBadPaymentReason] : null;
}

function BillsTable({ order, onChanged }: { order: CoopOrderDetail; onChanged: Apply }) {
  const { club } = useClub();
  return (
    <DataTable
      label="Bills"
      rows={order.bills}
      rowKey={(b) => b.household_id}
      searchLabel="Search households"
      exportName={`order-${order.number}-bills`}
      initialSort={{ columnId: 'household', direction: 'ascending' }}
      minWidth={860}
      columns={[
        {
          id: 'household',
          header: 'Household',
          cardTitle: true,
          sortValue: (b) => b.name,
          csv: (b) => b.name,
          cell: (b) => (
            <Anchor component={Link} to={`/coop/clubs/${club.id}/households/${b.household_id}`} fw={500}>
              {b.name}
            </Anchor>
          ),
        },
        {
          id: 'total',
          header: 'Total',
          align: 'right',
          nowrap: true,
          sortValue: (b) => BigInt(b.total_cents),
          csv: (b) => editableEuros(b.total_cents),
          cell: (b) => formatEuros(b.total_cents),
        },
        {
          id: 'received',
          header: 'Received',
          align: 'right',
          nowrap: true,
          sortValue: (b) => BigInt(b.received_cents),
          csv: (b) => editableEuros(b.received_cents),
          cell: (b) => formatEuros(b.received_cents),
        },
        {
          id: 'state',
          header: 'State',
          sortValue: (b) => b.payment_state,
          csv: (b) =>
            [paymentStateLabels[b.payment_state], badWords(b), b.fix_note].filter(Boolean).join(' · '),
          cell: (b) => (
            <Stack gap={2}>
              <PaymentBadge state={b.payment_state} />
              {badWords(b) && (
                <Text size="xs" c="dimmed">
                  {badWords(b)}
                </Text>
              )}
              {b.fix_note !== null && (
                <Text size="xs">They put it right: {b.fix_note ? `“${b.fix_note}”` : 'no note'}</Text>
              )}
            </Stack>
          ),
        },
        {
          id: 'actions',
          header: 'Actions',
          align: 'right',
          cell: (b) => <BillActions order={order} bill={b} onChanged={onChanged} />,
        },
      ]}
    />
  );
}

function Books({ order, onChanged }: { order: CoopOrderDetail; onChanged: Apply }) {
  const producers = order.producers.filter((p) => p.answer === 'available');
  const unpaid = order.bills.filter((b) => b.payment_state !== 'paid');
  const owed = unpaid.reduce((sum, b) => sum + BigInt(b.total_cents) - BigInt(b.received_cents), 0n);
  return (
    <Stack gap="lg">
      <CorrectionInProgress order={order} onChanged={onChanged} />
      <SectionCard
        title="Household payments"
        description={
          order.bills.length > 0
            ? `${unpaid.length} of ${order.bills.length} bills still open, ${formatEuros(owed)} to come in. Each household writes its bill’s reference on the transfer.`
            : undefined
        }
      >
        {order.bills.length === 0 ? (
          <NothingYet title="No bill yet">
            {order.status === 'finished'
              ? 'Nobody ordered anything in this order.'
              : 'Bills are made when the order is processed: once every producer’s delivery is confirmed.'}
          </NothingYet>
        ) : (
          <BillsTable order={order} onChanged={onChanged} />
        )}
      </SectionCard>
      <SectionCard
        title="Producers’ invoices"
        description="What the club expects to pay each producer for what it delivered (its prices and VAT, without the club’s margin), and what it invoiced. Tick the invoices to pay and make one payment file for the club’s bank."
      >
        {producers.length === 0 ? (
          <Text size="sm" c="dimmed">
            No producer delivers in this order.
          </Text>
        ) : (
          <PayProducers order={order} producers={producers} onChanged={onChanged} />
        )}
      </SectionCard>
      {(order.status === 'processed' || order.status === 'finished') && order.processed_at && (
        <SectionCard
          title="Correct the order"
          description="A weight or a delivery was wrong after the bills went out: reopen the order, correct the delivery check and confirm it again. Nothing is edited in place: a changed bill is reversed and posted anew, and the household is told."
        >
          <ReopenForCorrection order={order} onChanged={onChanged} />
        </SectionCard>
      )}
    </Stack>
  );
}

/** /coop/clubs/:clubId/orders/:orderId/books: the bookkeeper's page: households' payments and producers' invoices. */
export function BooksPage() {
  usePageTitle('Books');
  const { club } = useClub();
  const { orderId = '' } = useParams();
  const order = useOrder(orderId);
  const refresh = useCoopRefresh();
  const onChanged = async (changed: CoopOrderDetail) => {
    order.replace(changed);
    await refresh();
  };
  return (
    <ResourceView resource={order} loadingLabel="Loading the order…">
      {(data) => (
        <ClubFrame
          title={`Books of order ${data.number}`}
          trail={[
            { label: 'Orders', to: `/coop/clubs/${club.id}/orders` },
            { label: `Order ${data.number}`, to: orderPaths(club.id, data.id).order },
          ]}
          description={<OrderStateLine order={data} />}
          actions={
            data.mine.books ? (
              <Button component={Link} to={bankPath(club.id)} variant="default">
                Bank statements
              </Button>
            ) : undefined
          }
        >
          {data.mine.books ? (
            <Books order={data} onChanged={onChanged} />
          ) : (
            <FormErrorAlert message="Only the club’s bookkeeper and its Admin keep the books." />
          )}
        </ClubFrame>
      )}
    </ResourceView>
  );
}
