import { Anchor, Badge, Code, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import type { CreditsIntegration, CreditsProduct, CreditsPurchase } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { formatToTheSecond } from '../../../lib/dates';
import { csvAmount, csvTime } from '../../../lib/table';
import { currencyScale, formatDisplayPrice } from '../format';

/**
 * Purchases with where each came from; products and integrations are named when they are known. An
 * excerpt (a product's latest purchases) sorts, but has no search or download.
 */
export function PurchasesTable({
  purchases,
  products,
  integrations,
  excerpt = false,
  moreToLoad = false,
}: {
  purchases: CreditsPurchase[];
  products?: CreditsProduct[];
  integrations?: CreditsIntegration[];
  excerpt?: boolean;
  moreToLoad?: boolean;
}) {
  const productName = (purchase: CreditsPurchase) =>
    products?.find((product) => product.id === purchase.product_id)?.name;
  const origin = (purchase: CreditsPurchase) => {
    if (purchase.source === 'checkout') return 'Paid by wallet (USDC)';
    if (purchase.source !== 'webhook') return 'Entered by an administrator';
    const integration = integrations?.find((i) => i.id === purchase.integration_id)?.name;
    return integration ? `Webhook: ${integration}` : 'Webhook';
  };
  const account = (purchase: CreditsPurchase) => (purchase.registered ? 'new account' : 'existing account');
  const columns: Column<CreditsPurchase>[] = [
    {
      id: 'when',
      header: 'When',
      nowrap: true,
      cell: (p) => formatToTheSecond(p.created_at),
      sortValue: (p) => new Date(p.created_at),
      csv: (p) => csvTime(p.created_at),
    },
    {
      id: 'buyer',
      header: 'Buyer',
      cardTitle: true,
      cell: (p) => (
        <Anchor component={Link} to={`/credits/admin/users/${p.user_id}`} size="sm">
          {p.email}
        </Anchor>
      ),
      sortValue: (p) => p.email,
      csv: (p) => p.email,
    },
    {
      id: 'product',
      header: 'Product',
      cell: (p) => (
        <Anchor component={Link} to={`/credits/admin/products/${p.product_id}`} size="sm">
          {productName(p) ?? 'Open the product'}
        </Anchor>
      ),
      sortValue: (p) => productName(p) ?? null,
      // A spreadsheet has no link to follow: the product's id stands in for a name not loaded.
      csv: (p) => productName(p) ?? p.product_id,
    },
    {
      id: 'paid',
      header: 'Paid',
      align: 'right',
      nowrap: true,
      cell: (p) => (p.amount_paid ? formatDisplayPrice(p.amount_paid) : '—'),
      // Amounts in different currencies do not compare: each currency's sort together.
      sortValue: (p) => (p.amount_paid ? [p.amount_paid.currency, BigInt(p.amount_paid.amount_minor)] : null),
      csv: (p) =>
        p.amount_paid
          ? csvAmount(
              p.amount_paid.amount_minor,
              currencyScale(p.amount_paid.currency),
              p.amount_paid.currency,
            )
          : '',
    },
    {
      id: 'origin',
      header: 'From',
      cell: (p) => <Text size="sm">{origin(p)}</Text>,
      sortValue: origin,
      csv: origin,
    },
    {
      id: 'order',
      header: 'Order reference',
      cell: (p) => (
        <Tooltip label={p.order_id}>
          <Code style={{ wordBreak: 'break-all' }}>{p.order_id}</Code>
        </Tooltip>
      ),
      sortValue: (p) => p.order_id,
      csv: (p) => p.order_id,
    },
    {
      id: 'account',
      header: 'Account',
      nowrap: true,
      cell: (p) =>
        p.registered ? (
          <Tooltip label="Registered by this purchase; login details mailed">
            <Badge variant="light" color="blue" style={{ overflow: 'visible' }}>
              new account
            </Badge>
          </Tooltip>
        ) : (
          <Badge variant="light" color="gray" style={{ overflow: 'visible' }}>
            existing account
          </Badge>
        ),
      sortValue: account,
      csv: account,
    },
    {
      id: 'open',
      header: 'Purchase',
      nowrap: true,
      cell: (p) => (
        <Anchor
          component={Link}
          to={`/credits/purchases/${p.id}`}
          size="sm"
          aria-label={`Details of the purchase by ${p.email}, ${formatToTheSecond(p.created_at)}`}
        >
          Details
        </Anchor>
      ),
    },
  ];
  return (
    <DataTable
      label="Purchases"
      rows={purchases}
      columns={columns}
      rowKey={(p) => p.id}
      searchLabel={excerpt ? undefined : 'Search purchases'}
      exportName={excerpt ? undefined : 'purchases'}
      initialSort={{ columnId: 'when', direction: 'descending' }}
      moreToLoad={moreToLoad}
      minWidth={900}
    />
  );
}
