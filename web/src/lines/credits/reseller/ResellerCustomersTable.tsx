import { Stack, Text } from '@mantine/core';
import type { components } from '../../../api/schema';
import { type Column, DataTable } from '../../../components/DataTable';
import { formatToTheSecond } from '../../../lib/dates';
import { csvAmount } from '../../../lib/table';
import { formatCredits } from '../format';

export type ResellerCustomer = components['schemas']['CreditsResellerCustomer'];

const productsOf = (customer: ResellerCustomer) =>
  customer.products.map((product) => (product.active ? product.name : `${product.name} (ended)`)).join(', ');

const creditsColumn = (
  id: 'granted' | 'used' | 'reserved' | 'available',
  header: string,
): Column<ResellerCustomer> => ({
  id,
  header,
  align: 'right',
  nowrap: true,
  cell: (customer) => formatCredits(customer[id]),
  sortValue: (customer) => BigInt(customer[id]),
  csv: (customer) => csvAmount(customer[id], 0, 'credits'),
});

/**
 * A reseller's customers with the credits it funded for them this cycle: granted, used, held and
 * available, and when they last used any. Sorted, searched and exported as far as loaded.
 */
export function ResellerCustomersTable({
  customers,
  moreToLoad = false,
}: {
  customers: ResellerCustomer[];
  moreToLoad?: boolean;
}) {
  const columns: Column<ResellerCustomer>[] = [
    {
      id: 'name',
      header: 'Customer',
      cardTitle: true,
      cell: (customer) => (
        <Stack gap={0}>
          <Text size="sm" fw={500}>
            {customer.name || customer.email || 'A customer without a name'}
          </Text>
          {customer.name && customer.email && (
            <Text size="xs" c="dimmed">
              {customer.email}
            </Text>
          )}
        </Stack>
      ),
      sortValue: (customer) => (customer.name || customer.email || '').toLowerCase(),
      csv: (customer) => customer.name,
    },
    { id: 'email', header: 'Email', csv: (customer) => customer.email ?? '' },
    {
      id: 'products',
      header: 'Products',
      cell: (customer) => <Text size="sm">{productsOf(customer)}</Text>,
      sortValue: productsOf,
      csv: productsOf,
    },
    creditsColumn('granted', 'Granted'),
    creditsColumn('used', 'Used'),
    creditsColumn('reserved', 'Reserved'),
    creditsColumn('available', 'Available'),
    {
      id: 'last_used_at',
      header: 'Last activity',
      nowrap: true,
      cell: (customer) => formatToTheSecond(customer.last_used_at, 'none yet'),
      sortValue: (customer) => customer.last_used_at ?? '',
      csv: (customer) => customer.last_used_at ?? '',
    },
    {
      id: 'customer_since',
      header: 'Customer since',
      nowrap: true,
      cell: (customer) => formatToTheSecond(customer.customer_since),
      sortValue: (customer) => customer.customer_since,
      csv: (customer) => customer.customer_since,
    },
  ];
  return (
    <DataTable
      label="Customers"
      rows={customers}
      columns={columns}
      rowKey={(customer) => customer.user_id}
      searchLabel="Search customers"
      exportName="credits-reseller-customers"
      moreToLoad={moreToLoad}
      minWidth={900}
    />
  );
}
