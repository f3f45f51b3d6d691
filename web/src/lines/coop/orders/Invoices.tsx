import { Anchor, Button, Checkbox, FileInput, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopOrderDetail, CoopOrderProducer } from '../../../api/types';
import { AmountInput } from '../../../components/AmountInput';
import { type Column, DataTable } from '../../../components/DataTable';
import { type AmountRules, parseAmount } from '../../../lib/amounts';
import { formatToTheSecond } from '../../../lib/dates';
import { editableEuros, formatEuros } from '../format';
import { orderPaths } from './resources';
import { StateBadge } from './status';

/** Euros as the amount fields read them: two decimals, either separator. */
export const EUROS: AmountRules = { scale: 2, asset: 'EUR' };
export const eurosPreview = (minor: bigint) => `Saved as ${formatEuros(minor)}.`;

const INVOICE_TYPES = ['application/pdf', 'image/png', 'image/jpeg'];
const INVOICE_MAX_BYTES = 10 * 1024 * 1024;

type Apply = (order: CoopOrderDetail) => Promise<void>;

/** The producer's invoice and its amount, VAT included: a PDF or a photo of it. */
function UploadInvoiceForm({
  order,
  producer,
  onDone,
}: {
  order: CoopOrderDetail;
  producer: CoopOrderProducer;
  onDone: Apply;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [amount, setAmount] = useState(producer.invoice ? editableEuros(producer.invoice.amount_cents) : '');
  const [errors, setErrors] = useState<{ file?: string; amount?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const upload = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseAmount(amount, EUROS);
    const found = {
      file: !file
        ? 'Choose the invoice: a PDF or a photo'
        : !INVOICE_TYPES.includes(file.type)
          ? 'Choose a PDF, PNG or JPEG file'
          : file.size > INVOICE_MAX_BYTES
            ? 'The file is larger than 10 MB'
            : undefined,
      amount: parsed.ok ? undefined : parsed.error,
    };
    if (found.file || found.amount || !file || !parsed.ok) {
      setErrors(found);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const body = new FormData();
      body.append('file', file, file.name);
      body.append('amount', editableEuros(parsed.minor.toString()));
      const saved = await call(
        api.PUT('/api/coop/orders/{id}/producers/{producerId}/invoice', {
          params: { path: { id: order.id, producerId: producer.producer_id } },
          body: body as never,
        }),
      );
      await onDone(saved);
      notifications.show({
        color: 'teal',
        message: `${producer.name}’s invoice of ${formatEuros(parsed.minor)} is uploaded.`,
      });
    } catch (thrown) {
      const error = asApiError(thrown);
      const field = error.fieldErrors;
      setErrors({
        file: field.file,
        amount: field.amount,
        form: field.file || field.amount ? undefined : error.message,
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void upload(event)} noValidate aria-label={`Invoice of ${producer.name}`}>
      <Stack gap="sm">
        <FileInput
          label="Invoice"
          description="A PDF or a photo (PNG, JPEG), up to 10 MB."
          accept={INVOICE_TYPES.join(',')}
          placeholder="Choose a file"
          clearable
          required
          value={file}
          onChange={setFile}
          error={errors.file}
        />
        <AmountInput
          label="Amount, VAT included"
          required
          rules={EUROS}
          preview={eurosPreview}
          value={amount}
          onChange={(event) => setAmount(event.currentTarget.value)}
          error={errors.amount}
          description={
            producer.expected_invoice_cents
              ? `For what it delivered, the club expects ${formatEuros(producer.expected_invoice_cents)}.`
              : undefined
          }
        />
        {errors.form && (
          <Text size="sm" c="red" role="alert">
            {errors.form}
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={busy}>
            Upload the invoice
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function InvoiceActions({
  order,
  producer,
  onChanged,
}: {
  order: CoopOrderDetail;
  producer: CoopOrderProducer;
  onChanged: Apply;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const paths = orderPaths(order.club_id, order.id);
  const paid = Boolean(producer.invoice?.paid_at);
  const mayUpload =
    (producer.mine || order.mine.books) &&
    (order.status === 'closed' || order.status === 'processed') &&
    Boolean(producer.delivery_confirmed_at) &&
    !paid;
  const mayPay = order.mine.books && order.status === 'processed' && producer.invoice !== null && !paid;
  const markPaid = async () => {
    setBusy(true);
    setError(null);
    try {
      const saved = await call(
        api.POST('/api/coop/orders/{id}/producers/{producerId}/invoice/paid', {
          params: { path: { id: order.id, producerId: producer.producer_id } },
        }),
      );
      await onChanged(saved);
      notifications.show({ color: 'teal', message: `${producer.name}’s invoice is marked paid.` });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={4} align="flex-end">
      <Group gap="xs" justify="flex-end" wrap="wrap">
        {producer.invoice && (
          <Anchor href={paths.invoice(producer.producer_id)} download size="sm">
            Download
          </Anchor>
        )}
        {mayUpload && (
          <Button
            size="xs"
            variant="default"
            onClick={open}
            aria-label={`${producer.invoice ? 'Replace' : 'Upload'} ${producer.name}’s invoice`}
          >
            {producer.invoice ? 'Replace' : 'Upload'}
          </Button>
        )}
        {mayPay && (
          <Button
            size="xs"
            loading={busy}
            onClick={() => void markPaid()}
            aria-label={`Mark paid: ${producer.name}’s invoice`}
          >
            Mark paid
          </Button>
        )}
      </Group>
      {error && (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      )}
      <Modal
        opened={opened}
        onClose={close}
        title={`${producer.name}’s invoice for order ${order.number}`}
        centered
      >
        <UploadInvoiceForm
          order={order}
          producer={producer}
          onDone={async (saved) => {
            close();
            await onChanged(saved);
          }}
        />
      </Modal>
    </Stack>
  );
}

function invoiceState(producer: CoopOrderProducer): string {
  if (producer.invoice?.paid_at) return `Paid ${formatToTheSecond(producer.invoice.paid_at)}`;
  if (producer.invoice?.payment_sent_at)
    return `Payment sent ${formatToTheSecond(producer.invoice.payment_sent_at)}`;
  if (producer.invoice) return `Uploaded ${formatToTheSecond(producer.invoice.uploaded_at)}, to pay`;
  if (!producer.delivery_confirmed_at) return 'After the delivery is confirmed';
  return 'Not uploaded yet';
}

/** An invoice sent to the bank in a payment file and not seen leaving the account yet, as a badge with when. */
function InvoiceStateCell({ producer }: { producer: CoopOrderProducer }) {
  const sentAt = producer.invoice?.paid_at ? null : producer.invoice?.payment_sent_at;
  if (!sentAt) return <>{invoiceState(producer)}</>;
  return (
    <Stack gap={2} align="flex-start">
      <StateBadge color="blue" label="Payment sent" />
      <Text size="xs" c="dimmed">
        {formatToTheSecond(sentAt)}, paid once a statement shows it
      </Text>
    </Stack>
  );
}

/** Which invoices the bookkeeper ticked to pay in one payment file. */
export interface InvoiceSelection {
  payable: (producer: CoopOrderProducer) => boolean;
  chosen: ReadonlySet<string>;
  toggle: (producerId: string) => void;
}

/** The producers' invoices for the order: what the club expects to pay each one, what it invoiced, and paying it. */
export function InvoicesTable({
  order,
  producers,
  onChanged,
  selection,
}: {
  order: CoopOrderDetail;
  producers: CoopOrderProducer[];
  onChanged: Apply;
  /** Tick boxes to pick invoices for a payment file. */
  selection?: InvoiceSelection;
}) {
  const cents = (value: string | null | undefined) => (value == null ? null : BigInt(value));
  const pick: Column<CoopOrderProducer>[] = selection
    ? [
        {
          id: 'pay',
          header: 'Pay',
          cell: (p) =>
            selection.payable(p) ? (
              <Checkbox
                aria-label={`Pay ${p.name}’s invoice`}
                checked={selection.chosen.has(p.producer_id)}
                onChange={() => selection.toggle(p.producer_id)}
              />
            ) : null,
        },
      ]
    : [];
  return (
    <DataTable
      label="Producers’ invoices"
      rows={producers}
      rowKey={(p) => p.producer_id}
      exportName={`order-${order.number}-invoices`}
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={760}
      columns={[
        ...pick,
        {
          id: 'name',
          header: 'Producer',
          cardTitle: true,
          sortValue: (p) => p.name,
          csv: (p) => p.name,
          cell: (p) => p.name,
        },
        {
          id: 'expected',
          header: 'Expected',
          align: 'right',
          nowrap: true,
          sortValue: (p) => cents(p.expected_invoice_cents),
          csv: (p) => (p.expected_invoice_cents === null ? '' : editableEuros(p.expected_invoice_cents)),
          cell: (p) => (p.expected_invoice_cents === null ? '—' : formatEuros(p.expected_invoice_cents)),
        },
        {
          id: 'invoiced',
          header: 'Invoiced',
          align: 'right',
          nowrap: true,
          sortValue: (p) => cents(p.invoice?.amount_cents),
          csv: (p) => (p.invoice ? editableEuros(p.invoice.amount_cents) : ''),
          cell: (p) => {
            if (!p.invoice) return '—';
            const differs =
              p.expected_invoice_cents !== null && p.expected_invoice_cents !== p.invoice.amount_cents;
            return (
              <Text size="sm" span c={differs ? 'red.9' : undefined} fw={differs ? 600 : undefined}>
                {formatEuros(p.invoice.amount_cents)}
                {differs ? ' (differs)' : ''}
              </Text>
            );
          },
        },
        { id: 'state', header: 'State', csv: invoiceState, cell: (p) => <InvoiceStateCell producer={p} /> },
        {
          id: 'actions',
          header: 'Actions',
          align: 'right',
          cell: (p) => <InvoiceActions order={order} producer={p} onChanged={onChanged} />,
        },
      ]}
    />
  );
}
