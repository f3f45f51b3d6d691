import { Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { CoopProduct } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { editableEuros, formatEuros, formatPercent, packaging, perUnit } from '../format';

/** Products as members compare them: what each costs them, and how it comes packed. */
export function ProductsTable({
  products,
  clubId,
  label = 'Products',
  showProducer = true,
  toolbar,
}: {
  products: CoopProduct[];
  clubId: string;
  label?: string;
  showProducer?: boolean;
  toolbar?: ReactNode;
}) {
  return (
    <DataTable
      label={label}
      rows={products}
      rowKey={(p) => p.id}
      searchLabel="Search products"
      searchText={(p) =>
        [p.name, p.code, p.description, p.origin ?? '', p.producer_name, ...p.categories].join(' ')
      }
      exportName="products"
      toolbar={toolbar}
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={820}
      columns={[
        {
          id: 'name',
          header: 'Product',
          cardTitle: true,
          sortValue: (p) => p.name,
          csv: (p) => p.name,
          cell: (p) => (
            <Stack gap={2}>
              <Anchor component={Link} to={`/coop/clubs/${clubId}/products/${p.id}`} fw={500}>
                {p.name}
              </Anchor>
              {(p.categories.length > 0 || p.archived_at) && (
                <Group gap={4}>
                  {p.archived_at && (
                    <Badge size="xs" color="gray" variant="filled" style={{ overflow: 'visible' }}>
                      Off the catalogue
                    </Badge>
                  )}
                  {p.categories.map((c) => (
                    <Badge key={c} size="xs" variant="light" color="gray" style={{ overflow: 'visible' }}>
                      {c}
                    </Badge>
                  ))}
                </Group>
              )}
            </Stack>
          ),
        },
        {
          id: 'code',
          header: 'Reference',
          sortValue: (p) => p.code,
          csv: (p) => p.code,
          cell: (p) => p.code,
        },
        ...(showProducer
          ? [
              {
                id: 'producer',
                header: 'Producer',
                sortValue: (p: CoopProduct) => p.producer_name,
                csv: (p: CoopProduct) => p.producer_name,
                cell: (p: CoopProduct) => (
                  <Anchor component={Link} to={`/coop/clubs/${clubId}/producers/${p.producer_id}`} size="sm">
                    {p.producer_name}
                  </Anchor>
                ),
              },
            ]
          : []),
        {
          id: 'packaging',
          header: 'Comes as',
          sortValue: (p) => packaging(p),
          csv: (p) => packaging(p),
          cell: (p) => (
            <Text size="sm" component="span">
              {packaging(p)}
              {p.estimate && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  · by weight
                </Text>
              )}
            </Text>
          ),
        },
        {
          id: 'price',
          header: 'Member price',
          align: 'right',
          nowrap: true,
          sortValue: (p) => BigInt(p.member_price_cents),
          csv: (p) => editableEuros(p.member_price_cents),
          cell: (p) => (
            <span>
              <Text span fw={600} size="sm">
                {formatEuros(p.member_price_cents)}
              </Text>{' '}
              <Text span size="xs" c="dimmed">
                {perUnit(p.unit)}
              </Text>
            </span>
          ),
        },
        {
          id: 'vat',
          header: 'VAT',
          align: 'right',
          sortValue: (p) => p.vat_basis_points,
          csv: (p) => formatPercent(p.vat_basis_points),
          cell: (p) => formatPercent(p.vat_basis_points),
        },
        {
          id: 'available',
          header: 'Most per order',
          align: 'right',
          sortValue: (p) => p.maximum_available,
          csv: (p) => (p.maximum_available === null ? '' : String(p.maximum_available)),
          cell: (p) => (p.maximum_available === null ? 'no limit' : p.maximum_available),
        },
      ]}
    />
  );
}
