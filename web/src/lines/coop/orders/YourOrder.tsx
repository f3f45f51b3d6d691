import { Alert, Avatar, Button, Group, NumberInput, Stack, Text, Textarea, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type {
  CoopBill,
  CoopBillChange,
  CoopHouseholdOrder,
  CoopOrderDetail,
  CoopOrderLine,
  CoopOrderProduct,
} from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { formatToTheSecond } from '../../../lib/dates';
import { useClubBankAccount } from '../books/resources';
import {
  editableEuros,
  formatEuros,
  formatPercent,
  inGroupsOfFour,
  perUnit,
  plural,
  quantityOf,
} from '../format';
import { orderPaths } from './resources';
import { OutcomeBadge, PaymentBadge } from './status';

/** Who ordered a product, as avatars with their initials; each one's name on hover and for screen readers. */
export function OrderedBy({ people }: { people: CoopOrderLine['ordered_by'] }) {
  if (people.length === 0) return <>—</>;
  return (
    <Tooltip.Group openDelay={300}>
      <Avatar.Group
        spacing="xs"
        role="img"
        aria-label={`Ordered by ${people.map((p) => p.name || 'someone').join(', ')}`}
      >
        {people.map((p) => (
          <Tooltip key={p.user_id} label={p.name || 'A former member'} withArrow>
            <Avatar size="sm" radius="xl" color="initials" name={p.name} aria-hidden>
              {p.initials}
            </Avatar>
          </Tooltip>
        ))}
      </Avatar.Group>
    </Tooltip.Group>
  );
}

/** What a line comes to: the bill's line once processed, else what it costs as ordered. */
const lineCost = (line: CoopOrderLine) => line.billed?.total_cents ?? line.ordered.total_cents;

function amountOf(line: CoopOrderLine): string {
  if (line.quantity === 0 && line.delivered_items !== null) return `${line.delivered_items} taken extra`;
  const ordered = `${line.quantity} ordered`;
  if (line.allotted === null || line.allotted === line.quantity) return ordered;
  return `${ordered}, ${line.allotted} allotted`;
}

/** The household's order on the order's page: each product's amount, who ordered it, and what it all comes to. */
export function YourOrder({ order, household }: { order: CoopOrderDetail; household: CoopHouseholdOrder }) {
  const paths = orderPaths(order.club_id, order.id);
  const after = order.status !== 'preparing' && order.status !== 'open';
  const total = household.bill?.total_cents ?? household.ordered_totals.total_cents;
  const estimated = !household.bill && household.lines.some((l) => l.estimate);
  if (household.lines.length === 0) {
    return (
      <Stack gap="sm">
        <Text size="sm">
          {household.editable
            ? `${household.household_name} has not ordered anything yet.`
            : `${household.household_name} ordered nothing in this order.`}
        </Text>
        {household.editable && (
          <Group>
            <Button component={Link} to={paths.myOrder}>
              Order now
            </Button>
          </Group>
        )}
      </Stack>
    );
  }
  return (
    <Stack gap="sm">
      <DataTable
        label="Your household’s order"
        rows={household.lines}
        rowKey={(l) => l.product_id}
        exportName={`order-${order.number}-${household.household_name}`}
        initialSort={{ columnId: 'producer', direction: 'ascending' }}
        minWidth={760}
        columns={[
          {
            id: 'product',
            header: 'Product',
            cardTitle: true,
            sortValue: (l) => l.name,
            csv: (l) => l.name,
            cell: (l) => (
              <Stack gap={0}>
                <Text size="sm" fw={500}>
                  {l.name}
                </Text>
                {l.estimate && (
                  <Text size="xs" c="dimmed">
                    by weight: {formatEuros(l.unit_price_cents)} {perUnit(l.unit)}
                  </Text>
                )}
              </Stack>
            ),
          },
          {
            id: 'producer',
            header: 'Producer',
            sortValue: (l) => l.producer_name,
            csv: (l) => l.producer_name,
            cell: (l) => l.producer_name,
          },
          {
            id: 'amount',
            header: 'Amount',
            sortValue: (l) => l.quantity,
            csv: amountOf,
            cell: amountOf,
          },
          {
            id: 'who',
            header: 'Ordered by',
            csv: (l) => l.ordered_by.map((p) => p.name).join(', '),
            cell: (l) => <OrderedBy people={l.ordered_by} />,
          },
          ...(after
            ? [
                {
                  id: 'outcome',
                  header: 'Delivery',
                  csv: (l: CoopOrderLine) => l.outcome ?? '',
                  cell: (l: CoopOrderLine) => (
                    <Stack gap={2}>
                      <OutcomeBadge outcome={l.outcome ?? 'pending'} />
                      {l.weights && (
                        <Text size="xs" c="dimmed">
                          weighed {l.weights.map((w) => quantityOf(w, l.unit)).join(' + ')}
                        </Text>
                      )}
                      {l.comment && (
                        <Text size="xs" c="dimmed">
                          {l.comment}
                        </Text>
                      )}
                    </Stack>
                  ),
                },
              ]
            : []),
          {
            id: 'cost',
            header: household.bill ? 'Billed' : 'As ordered',
            align: 'right',
            nowrap: true,
            sortValue: (l) => BigInt(lineCost(l)),
            csv: (l) => editableEuros(lineCost(l)),
            cell: (l) => formatEuros(lineCost(l)),
          },
        ]}
      />
      <Group justify="space-between" gap="sm">
        <Text fw={600} aria-label="Your household’s total">
          {household.bill ? 'Your bill: ' : 'Total as ordered: '}
          {formatEuros(total)}
          {!household.bill && (after || estimated) && (
            <Text span size="sm" c="dimmed" fw={400}>
              {' '}
              {after
                ? '(your bill comes once every delivery is checked: what ran short, was weighed or missing changes it)'
                : '(an estimate: goods sold by weight are billed as weighed)'}
            </Text>
          )}
        </Text>
        <Button component={Link} to={paths.myOrder} variant={household.editable ? 'filled' : 'default'}>
          {household.editable ? 'Change your order' : 'See your order'}
        </Button>
      </Group>
    </Stack>
  );
}

/** Items of an extra product left for households to take. */
const leftOf = (product: CoopOrderProduct) => product.extra_items - product.taken_items;

function TakeExtra({
  order,
  product,
  mine,
  onChanged,
}: {
  order: CoopOrderDetail;
  product: CoopOrderProduct;
  mine: number;
  onChanged: (order: CoopOrderDetail) => Promise<void>;
}) {
  const [items, setItems] = useState<string | number>(mine);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const most = leftOf(product) + mine;
  const take = async () => {
    const count = typeof items === 'number' ? items : Number.parseInt(items, 10);
    if (!Number.isInteger(count) || count < 0) {
      setError('Enter a whole number of items, 0 to give them back.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await call(
        api.PUT('/api/coop/orders/{id}/extras/{productId}', {
          params: { path: { id: order.id, productId: product.product_id } },
          body: { items: count },
        }),
      );
      await onChanged(saved);
      notifications.show({
        color: 'teal',
        message: count === 0 ? `You gave ${product.name} back.` : `You take ${count} × ${product.name}.`,
      });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={4}>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <NumberInput
          label={`Items of ${product.name} to take`}
          min={0}
          max={most}
          allowDecimal={false}
          allowNegative={false}
          value={items}
          onChange={setItems}
          error={error !== null}
          w={170}
        />
        <Button variant="light" onClick={() => void take()} loading={busy}>
          Take
        </Button>
      </Group>
      {error && (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}

/** Products that came though nobody ordered them: households take them while the delivery is checked. */
export function Extras({
  order,
  household,
  onChanged,
}: {
  order: CoopOrderDetail;
  household: CoopHouseholdOrder | null;
  onChanged: (order: CoopOrderDetail) => Promise<void>;
}) {
  const extras = order.products.filter((p) => p.extra);
  if (extras.length === 0) return null;
  const taken = (productId: string) =>
    household?.lines.find((l) => l.product_id === productId && l.quantity === 0)?.delivered_items ?? 0;
  const confirmed = new Set(order.producers.filter((p) => p.delivery_confirmed_at).map((p) => p.producer_id));
  return (
    <DataTable
      label="Extra products"
      rows={extras}
      rowKey={(p) => p.product_id}
      minWidth={640}
      columns={[
        { id: 'name', header: 'Product', cardTitle: true, csv: (p) => p.name, cell: (p) => p.name },
        {
          id: 'came',
          header: 'Came',
          align: 'right',
          csv: (p) => String(p.extra_items),
          cell: (p) => p.extra_items,
        },
        {
          id: 'left',
          header: 'Left',
          align: 'right',
          csv: (p) => String(leftOf(p)),
          cell: (p) => leftOf(p),
        },
        {
          id: 'take',
          header: 'Your household',
          cell: (p) =>
            order.status === 'closed' && household && !confirmed.has(p.producer_id) ? (
              <TakeExtra order={order} product={p} mine={taken(p.product_id)} onChanged={onChanged} />
            ) : (
              `${taken(p.product_id)} taken`
            ),
        },
      ]}
    />
  );
}

function badPaymentWords(bill: CoopBill): string {
  if (bill.bad_reason === 'payment_missing') return 'The bookkeeper found no payment for this bill.';
  if (bill.bad_reason === 'bad_amount') {
    const missing = BigInt(bill.total_cents) - BigInt(bill.received_cents);
    return `${formatEuros(bill.received_cents)} arrived, but the bill is ${formatEuros(bill.total_cents)}: ${
      missing > 0n
        ? `please pay the ${formatEuros(missing)} missing.`
        : 'the bookkeeper will sort the difference out.'
    }`;
  }
  return bill.bad_text ? `The bookkeeper says: “${bill.bad_text}”` : 'The bookkeeper flagged the payment.';
}

/** A household says it put a flagged payment right; the bookkeeper is told. */
function PaymentFixedForm({
  order,
  onChanged,
}: {
  order: CoopOrderDetail;
  onChanged: (order: CoopOrderDetail) => Promise<void>;
}) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await call(
        api.POST('/api/coop/orders/{id}/payment-fixed', {
          params: { path: { id: order.id } },
          body: { note: note.trim() },
        }),
      );
      await onChanged(saved);
      notifications.show({ color: 'teal', message: 'The bookkeeper is told you put the payment right.' });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void send(event)} aria-label="I fixed it" noValidate>
      <Stack gap="sm" maw={520}>
        <Textarea
          label="What you did"
          description="For the bookkeeper: when you sent what, from which account."
          autosize
          minRows={2}
          maxLength={1000}
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
          error={error}
        />
        <Group>
          <Button type="submit" loading={busy}>
            I fixed it
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The household's bill once the order is processed: its amounts, how to pay it, and a flagged payment put right. */
export function YourBill({
  order,
  bill,
  onChanged,
}: {
  order: CoopOrderDetail;
  bill: CoopBill;
  onChanged: (order: CoopOrderDetail) => Promise<void>;
}) {
  const account = useClubBankAccount(order.club_id).data;
  const reference = inGroupsOfFour(bill.reference);
  return (
    <Stack gap="md">
      <Facts
        facts={[
          { label: 'Total to pay', value: <Text fw={700}>{formatEuros(bill.total_cents)}</Text> },
          { label: 'Net', value: formatEuros(bill.net_cents) },
          ...bill.by_vat_rate.map((rate) => ({
            label: `VAT ${formatPercent(rate.vat_basis_points)}`,
            value: `${formatEuros(rate.vat_cents)} on ${formatEuros(rate.net_cents)}`,
          })),
          { label: 'Received', value: formatEuros(bill.received_cents) },
          {
            label: 'Payment',
            value: (
              <Group gap="xs" component="span">
                <PaymentBadge state={bill.payment_state} />
                {bill.paid_at && <span>{formatToTheSecond(bill.paid_at)}</span>}
              </Group>
            ),
          },
          {
            label: 'Reference for the transfer',
            value: <CopyValue value={reference} label="Payment reference" />,
          },
        ]}
      />
      {bill.payment_state === 'due' && (
        <Text size="sm">
          Transfer {formatEuros(BigInt(bill.total_cents) - BigInt(bill.received_cents))} to the club’s account
          {account ? (
            <>
              {' '}
              ({account.account_holder}, <strong>{inGroupsOfFour(account.iban)}</strong>)
            </>
          ) : null}
          , writing <strong>{reference}</strong> on the transfer so the bookkeeper finds your bill.
        </Text>
      )}
      {bill.payment_state === 'bad' && (
        <Alert color="red" variant="light" title="Your payment was flagged" role="alert">
          <Stack gap="sm">
            <Text size="sm">{badPaymentWords(bill)}</Text>
            {bill.fixed_at ? (
              <Text size="sm">
                You told the bookkeeper {formatToTheSecond(bill.fixed_at)} that it is put right
                {bill.fix_note ? `: “${bill.fix_note}”` : '.'}
              </Text>
            ) : (
              <PaymentFixedForm order={order} onChanged={onChanged} />
            )}
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}

export const changeKindLabels: Record<CoopBillChange['kind'], string> = {
  allotted: 'Shared out: it ran short',
  delivered: 'Delivered amount',
  weighed: 'Weighed',
  not_available: 'Not available',
  missing: 'Missing from the delivery',
  price_changed: 'Price changed',
  extra_taken: 'Extra taken',
};

/** The trail of every change to the household's bill against what it ordered: who, when, and what changed. */
export function BillChanges({ household }: { household: CoopHouseholdOrder }) {
  const units = new Map(household.lines.map((l) => [l.product_id, l.unit]));
  const amount = (c: CoopBillChange, value: string | null) => {
    if (value === null) return '—';
    const unit = units.get(c.product_id);
    return unit ? quantityOf(value, unit) : value;
  };
  const price = (cents: string | null) => (cents === null ? '—' : formatEuros(cents));
  const who = (c: CoopBillChange) => c.changed_by?.name || 'Tally, when the order closed';
  return (
    <DataTable
      label="Changes to your bill"
      rows={household.changes}
      rowKey={(c) => `${c.product_id}:${c.kind}:${c.changed_at}`}
      exportName="bill-changes"
      initialSort={{ columnId: 'when', direction: 'ascending' }}
      minWidth={980}
      columns={[
        {
          id: 'when',
          header: 'When',
          nowrap: true,
          sortValue: (c) => c.changed_at,
          csv: (c) => c.changed_at,
          cell: (c) => formatToTheSecond(c.changed_at),
        },
        {
          id: 'product',
          header: 'Product',
          cardTitle: true,
          sortValue: (c) => c.product_name,
          csv: (c) => c.product_name,
          cell: (c) => c.product_name,
        },
        {
          id: 'kind',
          header: 'What changed',
          csv: (c) => changeKindLabels[c.kind],
          cell: (c) => (
            <Stack gap={0}>
              <span>{changeKindLabels[c.kind]}</span>
              {c.comment && (
                <Text size="xs" c="dimmed">
                  {c.comment}
                </Text>
              )}
            </Stack>
          ),
        },
        {
          id: 'items',
          header: 'Items',
          csv: (c) => `${c.ordered_items} → ${c.items ?? ''}`,
          cell: (c) => (c.items === null ? `${c.ordered_items} ordered` : `${c.ordered_items} → ${c.items}`),
        },
        {
          id: 'estimate',
          header: 'Expected',
          csv: (c) => c.estimate ?? '',
          cell: (c) => amount(c, c.estimate),
        },
        {
          id: 'weighed',
          header: 'Weighed or delivered',
          csv: (c) => c.weighed ?? '',
          cell: (c) => amount(c, c.weighed),
        },
        {
          id: 'price',
          header: 'Producer’s price before → after',
          nowrap: true,
          csv: (c) =>
            `${c.price_before_cents === null ? '' : editableEuros(c.price_before_cents)} → ${c.price_after_cents === null ? '' : editableEuros(c.price_after_cents)}`,
          cell: (c) =>
            c.price_before_cents === null && c.price_after_cents === null
              ? '—'
              : `${price(c.price_before_cents)} → ${price(c.price_after_cents)}`,
        },
        { id: 'by', header: 'By', sortValue: who, csv: who, cell: who },
      ]}
    />
  );
}

/** How many products a household ordered, for a line of text. */
export const productsOrdered = (household: CoopHouseholdOrder) =>
  plural(household.lines.filter((l) => l.quantity > 0).length, 'product');
