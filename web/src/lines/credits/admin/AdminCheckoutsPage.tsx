import { Anchor, Badge, Code, SegmentedControl, Stack, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsAdminCheckout, CreditsProduct } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { csvTime } from '../../../lib/table';
import { formatUsdcPayment } from '../format';
import { AdminFrame } from './AdminFrame';

type Filter = 'waiting' | 'all' | 'awaiting_payment' | 'failed';

const filters: { value: Filter; label: string }[] = [
  { value: 'waiting', label: 'Paid, purchase waiting' },
  { value: 'all', label: 'All' },
  { value: 'awaiting_payment', label: 'Awaiting payment' },
  { value: 'failed', label: 'Failed' },
];

const stateColors: Record<CreditsAdminCheckout['state'], string> = {
  awaiting_payment: 'blue',
  paid: 'teal',
  failed: 'red',
  reversed: 'orange',
};

/** Where a checkout stands, in the words an administrator answers a buyer with. */
function standing(checkout: CreditsAdminCheckout): string {
  if (checkout.state === 'paid' && checkout.purchase_id) return 'Paid; purchase made';
  if (checkout.state === 'paid') return checkout.failure ?? 'Paid; the purchase is being made';
  if (checkout.state === 'awaiting_payment') return 'Waiting for the chain to confirm the payment';
  return checkout.failure ?? checkout.state;
}

/**
 * /credits/admin/checkouts: every payment by wallet, newest first. It opens on those paid whose
 * purchase waits (a shop's float too low, its database away), since those are the buyers who paid
 * and have nothing yet.
 */
export function AdminCheckoutsPage() {
  const [filter, setFilter] = useState<Filter>('waiting');
  const products = useResource(
    'credits-admin-products-all',
    async () => (await call(api.GET('/api/credits/products', { params: { query: { limit: 200 } } }))).items,
  );
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/checkouts', {
          params: {
            query: {
              cursor,
              limit: 50,
              ...(filter === 'waiting' ? { waiting: 'true' as const } : {}),
              ...(filter === 'awaiting_payment' || filter === 'failed' ? { state: filter } : {}),
            },
          },
        }),
      ),
    [filter],
  );
  const pages = useCursorPages(`credits-admin-checkouts-${filter}`, loadPage);
  return (
    <AdminFrame
      title="Checkouts"
      description="Payments by wallet (USDC) for products' payment links: waiting for the chain, paid with their purchase made or waiting for it, or failed and why."
    >
      <SectionCard title="Checkouts">
        <Stack gap="md">
          <SegmentedControl
            aria-label="Which checkouts"
            data={filters}
            value={filter}
            onChange={(value) => setFilter(value as Filter)}
          />
          <ResourceView
            resource={pages.first}
            loadingLabel="Loading the checkouts…"
            isEmpty={(page) => page.items.length === 0}
            empty={
              <NothingYet title={filter === 'waiting' ? 'No purchase waits' : 'No checkouts here'}>
                {filter === 'waiting'
                  ? 'Every paid checkout has its purchase.'
                  : 'A checkout appears when a buyer pays a payment link with their wallet.'}
              </NothingYet>
            }
          >
            {() => (
              <CheckoutsTable checkouts={pages.items} products={products.data} moreToLoad={pages.hasMore} />
            )}
          </ResourceView>
          <LoadOlder pages={pages} label="Load older checkouts" />
        </Stack>
      </SectionCard>
    </AdminFrame>
  );
}

function CheckoutsTable({
  checkouts,
  products,
  moreToLoad,
}: {
  checkouts: CreditsAdminCheckout[];
  products?: CreditsProduct[];
  moreToLoad: boolean;
}) {
  // A shop with a database of its own sells products Tally's list does not hold.
  const productName = (checkout: CreditsAdminCheckout) =>
    products?.find((product) => product.id === checkout.product_id)?.name ??
    (checkout.tenant_user_id ? 'A product of a shop’s own database' : checkout.product_id);
  const columns: Column<CreditsAdminCheckout>[] = [
    {
      id: 'when',
      header: 'When',
      nowrap: true,
      cell: (c) => formatToTheSecond(c.created_at),
      sortValue: (c) => new Date(c.created_at),
      csv: (c) => csvTime(c.created_at),
    },
    {
      id: 'buyer',
      header: 'Buyer',
      cardTitle: true,
      cell: (c) => <Text size="sm">{c.name ? `${c.name} <${c.email}>` : c.email}</Text>,
      sortValue: (c) => c.email,
      csv: (c) => c.email,
    },
    {
      id: 'product',
      header: 'Product',
      cell: (c) => <Text size="sm">{productName(c)}</Text>,
      sortValue: productName,
      csv: productName,
    },
    {
      id: 'value',
      header: 'Paid',
      align: 'right',
      nowrap: true,
      cell: (c) => formatUsdcPayment(c.value),
      sortValue: (c) => BigInt(c.value),
      csv: (c) => formatUsdcPayment(c.value),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (c) => (
        <Badge variant="light" color={stateColors[c.state]}>
          {c.state.replace('_', ' ')}
        </Badge>
      ),
      sortValue: (c) => c.state,
      csv: (c) => c.state,
    },
    {
      id: 'standing',
      header: 'Where it stands',
      cell: (c) => <Text size="sm">{standing(c)}</Text>,
      sortValue: standing,
      csv: standing,
    },
    {
      id: 'shop',
      header: 'Made in',
      nowrap: true,
      cell: (c) =>
        c.tenant_user_id ? (
          <Anchor component={Link} to={`/credits/admin/users/${c.tenant_user_id}`} size="sm">
            The shop’s own database
          </Anchor>
        ) : (
          <Text size="sm">Tally’s database</Text>
        ),
      csv: (c) => c.tenant_user_id ?? '',
    },
    {
      id: 'open',
      header: 'Purchase',
      nowrap: true,
      // A purchase made in a shop's own database is read there, by the shop: only its id is Tally's.
      cell: (c) =>
        c.purchase_id && !c.tenant_user_id ? (
          <Anchor component={Link} to={`/credits/purchases/${c.purchase_id}`} size="sm">
            Details
          </Anchor>
        ) : (
          <Code>{c.purchase_id ?? '—'}</Code>
        ),
      csv: (c) => c.purchase_id ?? '',
    },
    {
      id: 'checkout',
      header: 'Checkout id',
      csv: (c) => c.id,
    },
  ];
  return (
    <DataTable
      label="Checkouts"
      rows={checkouts}
      columns={columns}
      rowKey={(c) => c.id}
      searchLabel="Search checkouts"
      exportName="checkouts"
      initialSort={{ columnId: 'when', direction: 'descending' }}
      moreToLoad={moreToLoad}
      minWidth={1000}
    />
  );
}
