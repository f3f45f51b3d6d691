import { Anchor, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { formatLatency, formatRate, formatUsdc } from '../format';
import type { GatewayCatalogueServer } from '../types';

/** A server's figures from Tally's metering of the last 30 days. */
export function ServerFigures({ server }: { server: GatewayCatalogueServer }) {
  return (
    <Facts
      facts={[
        { label: 'Calls (30 days)', value: server.stats.calls.toLocaleString('en-US') },
        { label: 'Success rate', value: formatRate(server.stats.success_rate) },
        { label: 'Refund rate', value: formatRate(server.stats.refund_rate) },
        { label: 'Median latency', value: formatLatency(server.stats.p50_latency_ms) },
      ]}
    />
  );
}

/** The tools a server offers, each with its price per call. */
export function ToolPrices({ server }: { server: GatewayCatalogueServer }) {
  if (server.tools.length === 0) return <Text size="sm">No priced tools yet.</Text>;
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table aria-label={`Tools of ${server.name}`} fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Tool</Table.Th>
            <Table.Th>What it does</Table.Th>
            <Table.Th ta="right">Price per call</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {server.tools.map((tool) => (
            <Table.Tr key={tool.name}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {tool.title ?? tool.name}
                </Text>
                {tool.title && (
                  <Text size="xs" c="dimmed">
                    {tool.name}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{tool.description}</Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                {tool.price === '0' ? 'free' : formatUsdc(tool.price)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One server of the catalogue: who runs it, its endpoint to copy, its figures and its prices. */
export function CatalogueServerCard({ server }: { server: GatewayCatalogueServer }) {
  return (
    <Card withBorder padding="lg" component="article" aria-label={server.name}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={2}>
            <Title order={3} size="h4">
              <Anchor component={Link} to={`/gateway/catalogue/${server.slug}`} inherit>
                {server.name}
              </Anchor>
            </Title>
            <Text size="sm" c="dimmed">
              by {server.provider}
            </Text>
          </Stack>
        </Group>
        {server.description && <Text size="sm">{server.description}</Text>}
        <Stack gap={4}>
          <Text size="xs" fw={700} tt="uppercase" c="dimmed">
            Endpoint
          </Text>
          <CopyValue value={server.endpoint} label={`Endpoint of ${server.name}`} />
        </Stack>
        <ServerFigures server={server} />
        <ToolPrices server={server} />
      </Stack>
    </Card>
  );
}
