import { Anchor, Badge, Code, Table, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import type { CreditsIntegration, CreditsProduct, CreditsPurchase } from '../../../api/types';
import { formatDateTime } from '../../../lib/dates';
import { shortId } from '../format';

/** Purchases with where each came from; products and integrations are named when they are known. */
export function PurchasesTable({
  purchases,
  products,
  integrations,
}: {
  purchases: CreditsPurchase[];
  products?: CreditsProduct[];
  integrations?: CreditsIntegration[];
}) {
  const productName = (id: string) => products?.find((p) => p.id === id)?.name;
  const integrationName = (id: string | null) => integrations?.find((i) => i.id === id)?.name;
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table aria-label="Purchases" fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Buyer</Table.Th>
            <Table.Th>Product</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Order reference</Table.Th>
            <Table.Th>Account</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {purchases.map((purchase) => (
            <Table.Tr key={purchase.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(purchase.created_at)}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/credits/admin/users/${purchase.user_id}`} size="sm">
                  {purchase.email}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/credits/admin/products/${purchase.product_id}`} size="sm">
                  {productName(purchase.product_id) ?? shortId(purchase.product_id)}
                </Anchor>
              </Table.Td>
              <Table.Td>
                {purchase.source === 'webhook' ? (
                  <Text size="sm">
                    Webhook
                    {purchase.integration_id
                      ? `: ${integrationName(purchase.integration_id) ?? shortId(purchase.integration_id)}`
                      : ''}
                  </Text>
                ) : (
                  <Text size="sm">Entered by an administrator</Text>
                )}
              </Table.Td>
              <Table.Td>
                <Tooltip label={purchase.order_id}>
                  <Code style={{ wordBreak: 'break-all' }}>{purchase.order_id}</Code>
                </Tooltip>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {purchase.registered ? (
                  <Tooltip label="Registered by this purchase; login details mailed">
                    <Badge variant="light" color="blue">
                      new account
                    </Badge>
                  </Tooltip>
                ) : (
                  <Badge variant="light" color="gray">
                    existing account
                  </Badge>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
