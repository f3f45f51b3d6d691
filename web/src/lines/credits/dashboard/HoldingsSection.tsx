import { Badge, Card, Group, Stack, Table, Text } from '@mantine/core';
import type { CreditsHolding } from '../../../api/types';
import { SectionCard } from '../../../components/SectionCard';
import { useIsPhone } from '../../../hooks/useIsPhone';
import { formatToTheSecond } from '../../../lib/dates';
import { productTypeLabels } from '../format';

/** The products a person holds: each refills their credits at its own cycle. */
function HoldingState({ holding }: { holding: CreditsHolding }) {
  return (
    <Badge variant="light" color={holding.active ? 'teal' : 'gray'}>
      {holding.active ? 'active' : 'ended'}
    </Badge>
  );
}

export function HoldingsSection({
  holdings,
  title = 'Your products',
}: {
  holdings: CreditsHolding[];
  title?: string;
}) {
  const isPhone = useIsPhone();
  return (
    <SectionCard title={title} description="Each product refills the credits at its own cycle.">
      {isPhone ? (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label={title}>
          {holdings.map((holding) => (
            <Card key={holding.id} withBorder padding="sm" component="li">
              <Group justify="space-between" wrap="nowrap">
                <Text fw={500}>{holding.product_name}</Text>
                <HoldingState holding={holding} />
              </Group>
              <Text size="xs" c="dimmed">
                Next refill: {formatToTheSecond(holding.next_refill_at, 'does not refill')}
              </Text>
            </Card>
          ))}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table aria-label={title} verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Product</Table.Th>
                <Table.Th>Last refill</Table.Th>
                <Table.Th>Next refill</Table.Th>
                <Table.Th>State</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {holdings.map((holding) => (
                <Table.Tr key={holding.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {holding.product_name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {productTypeLabels[holding.product_type]}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatToTheSecond(holding.refilled_at)}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatToTheSecond(holding.next_refill_at, 'does not refill')}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <HoldingState holding={holding} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </SectionCard>
  );
}
