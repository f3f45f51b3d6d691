import { Alert, Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { type ApiError, asApiError } from '../../../api/errors';
import type { CoopOrderDetail, CoopOrderProducer, CoopPaymentBatch } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import type { FormProblem } from '../../../lib/serverErrors';
import { useClub, useCoopRefresh } from '../club/ClubLayout';
import { formatEuros, plural } from '../format';
import { InvoicesTable } from '../orders/Invoices';
import { bankPath } from './resources';

type Apply = (order: CoopOrderDetail) => Promise<void>;

/** An invoice the bookkeeper may put in a payment file: uploaded, for something, not paid, not sent already. */
export const payable = (order: CoopOrderDetail) => (producer: CoopOrderProducer) =>
  order.mine.books &&
  order.status === 'processed' &&
  producer.invoice !== null &&
  BigInt(producer.invoice.amount_cents) > 0n &&
  !producer.invoice.paid_at &&
  !producer.invoice.payment_sent_at;

/** Refusals that mean the order changed meanwhile: it is read again, so the table shows why. */
const STALE = ['invoice_missing', 'invoice_paid', 'invoice_payment_sent', 'order_finished'];

const pad = (value: number) => String(value).padStart(2, '0');
const today = () => {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
};

function checkDay(day: string): string | null {
  if (!day) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return 'Enter a day such as 2026-06-05, or leave it empty for today';
  return day < today() ? 'Choose today or a later day' : null;
}

/** The producer a refusal names (`details.producer_id`), if any. */
function producerOf(error: ApiError): string | null {
  const details = error.details as { producer_id?: unknown } | null | undefined;
  return typeof details?.producer_id === 'string' ? details.producer_id : null;
}

/**
 * The bookkeeper ticks the order's uploaded invoices and makes one SEPA credit transfer file
 * (pain.001) for the club's bank; the invoices then show "Payment sent" until a statement shows the
 * money left. A refusal says what to fix, with a link to where.
 */
export function PayProducers({
  order,
  producers,
  onChanged,
}: {
  order: CoopOrderDetail;
  producers: CoopOrderProducer[];
  onChanged: Apply;
}) {
  const { club } = useClub();
  const refresh = useCoopRefresh();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [day, setDay] = useState('');
  const [dayError, setDayError] = useState<string | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<CoopPaymentBatch | null>(null);
  const paysHere = order.mine.books && order.status === 'processed';
  const canPay = producers.filter(payable(order));
  // A tick on an invoice paid or sent meanwhile falls away.
  const ticked = canPay.filter((p) => chosen.has(p.producer_id));
  const total = ticked.reduce((sum, p) => sum + BigInt(p.invoice?.amount_cents ?? '0'), 0n);

  const toggle = (producerId: string) => {
    setChosen((before) => {
      const after = new Set(before);
      if (after.has(producerId)) after.delete(producerId);
      else after.add(producerId);
      return after;
    });
    setProblem(null);
  };

  const problemOf = (error: ApiError): FormProblem => {
    const producerId = producerOf(error);
    if (error.code === 'producer_without_iban' && producerId) {
      const name = producers.find((p) => p.producer_id === producerId)?.name ?? 'the producer';
      return {
        message: error.message,
        next: {
          to: `/coop/clubs/${club.id}/producers/${producerId}`,
          label: `Add ${name}’s IBAN on its page.`,
        },
      };
    }
    if (error.code === 'club_account_missing') {
      return {
        message: error.message,
        next: {
          to: `/coop/clubs/${club.id}/settings`,
          label: 'Set the club’s bank account in the settings.',
        },
      };
    }
    return { message: error.message };
  };

  const make = async (event: FormEvent) => {
    event.preventDefault();
    const wrongDay = checkDay(day);
    setDayError(wrongDay);
    if (wrongDay || ticked.length === 0) return;
    setBusy(true);
    setProblem(null);
    try {
      const batch = await call(
        api.POST('/api/coop/clubs/{id}/payment-batches', {
          params: { path: { id: club.id } },
          body: {
            invoices: ticked.map((p) => ({ order_id: order.id, producer_id: p.producer_id })),
            ...(day ? { execution_date: day } : {}),
          },
        }),
      );
      setMade(batch);
      setChosen(new Set());
      await refresh();
      notifications.show({
        color: 'teal',
        message: `The payment file for ${plural(batch.transfers, 'invoice')}, ${formatEuros(batch.total_cents)}, is ready to download.`,
      });
    } catch (thrown) {
      const error = asApiError(thrown);
      if (error.fieldErrors.execution_date) setDayError(error.fieldErrors.execution_date);
      else setProblem(problemOf(error));
      if (STALE.includes(error.code)) await refresh();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <InvoicesTable
        order={order}
        producers={producers}
        onChanged={onChanged}
        selection={paysHere ? { payable: payable(order), chosen, toggle } : undefined}
      />
      {paysHere && canPay.length > 0 && (
        <form onSubmit={(event) => void make(event)} noValidate aria-label="Payment file">
          <Stack gap="sm">
            <Group align="flex-end" gap="sm">
              <TextInput
                type="date"
                label="Payment day"
                description="When the bank pays; today when left empty."
                value={day}
                min={today()}
                onChange={(event) => {
                  setDay(event.currentTarget.value);
                  setDayError(null);
                }}
                error={dayError}
              />
              <Button type="submit" loading={busy} disabled={ticked.length === 0}>
                Make the payment file
              </Button>
              <Text size="sm" c="dimmed" pb={8} role="status">
                {ticked.length === 0
                  ? 'Tick the invoices to pay in one credit transfer.'
                  : `${plural(ticked.length, 'invoice')} ticked, ${formatEuros(total)} in all.`}
              </Text>
            </Group>
            <FormErrorAlert message={problem} />
          </Stack>
        </form>
      )}
      {made && (
        <Alert color="teal" variant="light" title="The payment file is ready" role="status">
          <Stack gap={4}>
            <Text size="sm">
              {plural(made.transfers, 'transfer')}, {formatEuros(made.total_cents)} in all, to be paid on{' '}
              {made.execution_date}. Upload the file to the club’s bank: the invoices show as payment sent
              until a statement shows the money left.
            </Text>
            <Group gap="md">
              <Anchor href={made.download} download size="sm" fw={600} underline="always">
                Download {made.message_id}.xml
              </Anchor>
              <Anchor component={Link} to={bankPath(club.id)} size="sm" underline="always">
                Every payment file is on the Bank page.
              </Anchor>
            </Group>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
