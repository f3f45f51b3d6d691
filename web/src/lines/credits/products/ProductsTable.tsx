import { Anchor, Badge, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CreditsProduct, CreditsRefillCycle } from '../../../api/types';
import { type Column, DataTable } from '../../../components/DataTable';
import { csvAmount } from '../../../lib/table';
import {
  currencyScale,
  formatCredits,
  formatDisplayPrice,
  productTypeLabels,
  refillCycleLabels,
} from '../format';

export function ProductStateBadge({ product }: { product: CreditsProduct }) {
  return product.active ? (
    <Badge variant="light" color="teal">
      on sale
    </Badge>
  ) : (
    <Badge variant="light" color="gray">
      inactive
    </Badge>
  );
}

const refillOrder: CreditsRefillCycle[] = ['day', 'week', 'month', 'year', 'none'];
const stateText = (product: CreditsProduct) => (product.active ? 'on sale' : 'inactive');

/**
 * Products with what they grant; each name opens the product's page under `basePath`. Sorted,
 * searched and downloaded as far as they are loaded.
 */
export function ProductsTable({
  products,
  basePath,
  moreToLoad = false,
}: {
  products: CreditsProduct[];
  basePath: string;
  moreToLoad?: boolean;
}) {
  const columns: Column<CreditsProduct>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: (product) => (
        <Anchor component={Link} to={`${basePath}/${product.id}`} fw={500} size="sm">
          {product.name}
        </Anchor>
      ),
      sortValue: (product) => product.name,
      csv: (product) => product.name,
    },
    {
      id: 'type',
      header: 'Type',
      cell: (product) => productTypeLabels[product.type],
      sortValue: (product) => productTypeLabels[product.type],
      csv: (product) => productTypeLabels[product.type],
    },
    {
      id: 'credits',
      header: 'Credits per cycle',
      align: 'right',
      nowrap: true,
      cell: (product) => formatCredits(product.credits_per_cycle),
      sortValue: (product) => BigInt(product.credits_per_cycle),
      csv: (product) => csvAmount(product.credits_per_cycle, 0, 'credits'),
    },
    {
      id: 'refill',
      header: 'Refill',
      cell: (product) => refillCycleLabels[product.refill_cycle],
      // Shortest cycle first, never refilled last: the order of how often credits come back.
      sortValue: (product) => refillOrder.indexOf(product.refill_cycle),
      csv: (product) => refillCycleLabels[product.refill_cycle],
    },
    {
      id: 'price',
      header: 'Display price',
      align: 'right',
      nowrap: true,
      cell: (product) => formatDisplayPrice(product.display_price),
      // Prices in different currencies do not compare: each currency's sort together.
      sortValue: (product) => [product.display_price.currency, BigInt(product.display_price.amount_minor)],
      csv: (product) =>
        csvAmount(
          product.display_price.amount_minor,
          currencyScale(product.display_price.currency),
          product.display_price.currency,
        ),
    },
    {
      id: 'actions',
      header: 'Actions',
      cell: (product) => <Text size="sm">{product.permissions.join(', ') || '—'}</Text>,
      sortValue: (product) => product.permissions.join(', '),
      csv: (product) => product.permissions.join(' '),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (product) => <ProductStateBadge product={product} />,
      sortValue: stateText,
      csv: stateText,
    },
  ];
  return (
    <DataTable
      label="Products"
      rows={products}
      columns={columns}
      rowKey={(product) => product.id}
      searchLabel="Search products"
      exportName="credits-products"
      moreToLoad={moreToLoad}
      minWidth={760}
    />
  );
}
