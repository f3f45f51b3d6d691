import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CreditsProduct } from '../../../api/types';
import { formatCredits, formatDisplayPrice, productTypeLabels, refillCycleLabels } from '../format';

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

/** Products with what they grant; each name opens the product's page under `basePath`. */
export function ProductsTable({ products, basePath }: { products: CreditsProduct[]; basePath: string }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table aria-label="Products" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th ta="right">Credits per cycle</Table.Th>
            <Table.Th>Refill</Table.Th>
            <Table.Th ta="right">Display price</Table.Th>
            <Table.Th>Actions</Table.Th>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {products.map((product) => (
            <Table.Tr key={product.id}>
              <Table.Td>
                <Anchor component={Link} to={`${basePath}/${product.id}`} fw={500}>
                  {product.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{productTypeLabels[product.type]}</Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatCredits(product.credits_per_cycle)}
              </Table.Td>
              <Table.Td>{refillCycleLabels[product.refill_cycle]}</Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatDisplayPrice(product.display_price)}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{product.permissions.join(', ') || '—'}</Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <ProductStateBadge product={product} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
