import { Code, Stack, Table, Text } from '@mantine/core';
import { api, call } from '../../../api/client';
import { CopyValue } from '../../../components/CopyValue';
import { SectionCard } from '../../../components/SectionCard';
import { useResource } from '../../../hooks/useResource';
import { formatUsdc } from '../format';

interface TallyOffer {
  server: string;
  tool: string;
  title: string | null;
}

/**
 * How an agent whose wallet speaks x402 pays for a server's tools with no Tally account: each priced
 * tool's HTTP resource, its price per call and its top-up, from the gateway's x402 discovery list.
 * Nothing is shown on a Tally without a chain (it offers no x402 payment).
 */
export function X402Offers({ slug, endpoint }: { slug: string; endpoint: string }) {
  const listed = useResource('gateway-x402-resources', () => call(api.GET('/api/gateway/x402/resources')));
  const items = (listed.data?.items ?? []).filter(
    (item) => (item.extensions?.tally as TallyOffer | undefined)?.server === slug,
  );
  if (items.length === 0) return null;
  const discovery = `${new URL(endpoint).origin}/.well-known/x402`;
  return (
    <SectionCard
      title="Pay with x402"
      description="Agents whose wallets speak x402 pay in USDC with no Tally account: per call, or a top-up of 100 calls that the next calls spend from the wallet's Tally balance."
    >
      <Stack gap="sm">
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="x402 resources" fz="sm" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Tool</Table.Th>
                <Table.Th ta="right">Per call</Table.Th>
                <Table.Th ta="right">Top-up</Table.Th>
                <Table.Th>HTTP resource (POST the arguments)</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => {
                const tally = item.extensions?.tally as TallyOffer;
                const [perCall, topUp] = item.accepts.map((offer) => String(offer.amount));
                return (
                  <Table.Tr key={item.resource}>
                    <Table.Td>{tally.title ?? tally.tool}</Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {perCall ? formatUsdc(perCall) : '—'}
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {topUp ? formatUsdc(topUp) : '—'}
                    </Table.Td>
                    <Table.Td>
                      <CopyValue value={item.resource} label={`x402 resource of ${tally.tool}`} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Text size="sm">
          Over MCP, call the tools at the endpoint above with no credentials and send the payment in{' '}
          <Code>_meta["x402/payment"]</Code>; the session's next calls spend what a top-up paid. Crawlers find
          every paid tool at:
        </Text>
        <CopyValue value={discovery} label="x402 discovery document" />
      </Stack>
    </SectionCard>
  );
}
