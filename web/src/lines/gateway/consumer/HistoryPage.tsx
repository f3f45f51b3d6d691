import { BarChart } from '@mantine/charts';
import { ColorSwatch, Grid, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { useCatalogue, useGrants } from '../data';
import { formatUsdc, usdcNumber } from '../format';
import { GatewayFrame } from '../GatewayTabs';
import type { GatewaySpend } from '../types';
import { lastDays, spendChartData } from './spendSeries';
import { CallsTable } from './tables';

const SPEND_DAYS = 30;
const PAGE_SIZE = 50;

/** The chart's words: what was spent, on how many calls, on which servers (UI.md: a text beside every chart). */
function spendSummary(data: ReturnType<typeof spendChartData>): string {
  if (data.totals.length === 0) return `Nothing was spent in the last ${SPEND_DAYS} days.`;
  const parts = data.totals.map(
    (t) => `${formatUsdc(t.amount)} on ${t.server} (${t.calls} ${t.calls === 1 ? 'call' : 'calls'})`,
  );
  return `In the last ${SPEND_DAYS} days you spent ${formatUsdc(data.total)} on ${data.calls} paid ${
    data.calls === 1 ? 'call' : 'calls'
  }: ${parts.join(', ')}.`;
}

function SpendSection({ spend }: { spend: GatewaySpend }) {
  const today = new Date().toISOString().slice(0, 10);
  const data = useMemo(
    () => spendChartData(spend.items, lastDays(new Date(`${today}T12:00:00Z`), spend.days || SPEND_DAYS)),
    [spend, today],
  );
  return (
    <SectionCard
      title="Spend by server"
      description={`What your served calls cost each day (UTC), over the last ${SPEND_DAYS} days.`}
    >
      <Text size="sm" data-testid="spend-summary">
        {spendSummary(data)}
      </Text>
      {data.totals.length > 0 && (
        <Grid gap="lg" align="center">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <figure
              style={{ margin: 0 }}
              aria-label={`Spend per day by server; ${formatUsdc(data.total)} in all`}
            >
              <BarChart
                h={260}
                data={data.rows}
                dataKey="day"
                type="stacked"
                series={data.series}
                tickLine="y"
                withLegend
                legendProps={{ verticalAlign: 'bottom' }}
                valueFormatter={(value) => formatUsdc(BigInt(Math.round(value)))}
                yAxisLabel="USDC"
                yAxisProps={{
                  width: 80,
                  allowDecimals: false,
                  tickFormatter: (value: number) => usdcNumber(BigInt(Math.round(value))),
                }}
                xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 16 }}
              />
            </figure>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Table.ScrollContainer minWidth={260}>
              <Table aria-label="Spend by server" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Server</Table.Th>
                    <Table.Th ta="right">Calls</Table.Th>
                    <Table.Th ta="right">Spent in {SPEND_DAYS} days</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.totals.map((total) => (
                    <Table.Tr key={total.server}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <ColorSwatch
                            color={`var(--mantine-color-${total.color.replace('.', '-')})`}
                            size={12}
                            aria-hidden
                          />
                          <Text size="sm">{total.server}</Text>
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right">{total.calls}</Table.Td>
                      <Table.Td
                        ta="right"
                        style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}
                      >
                        {formatUsdc(total.amount)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Grid.Col>
        </Grid>
      )}
    </SectionCard>
  );
}

/** /gateway/history: every call with its cost, filterable by server and exportable, and spend by server per day. */
export function HistoryPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const server = searchParams.get('server') ?? '';
  const catalogue = useCatalogue();
  const grants = useGrants();
  const spend = useResource(`gateway-spend:${SPEND_DAYS}`, () =>
    call(api.GET('/api/gateway/spend', { params: { query: { days: SPEND_DAYS } } })),
  );
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/gateway/calls', {
          params: { query: { cursor, limit: PAGE_SIZE, ...(server ? { server } : {}) } },
        }),
      ),
    [server],
  );
  const calls = useCursorPages(`gateway-calls:${server}`, loadPage);
  const serverFilter = (
    <Select
      label="Server"
      w={240}
      allowDeselect={false}
      data={[
        { value: '', label: 'All servers' },
        ...(catalogue.data ?? []).map((s) => ({ value: s.slug, label: s.name })),
        ...(server && !catalogue.data?.some((s) => s.slug === server)
          ? [{ value: server, label: server }]
          : []),
      ]}
      value={server}
      onChange={(value) => setSearchParams(value ? { server: value } : {})}
    />
  );

  return (
    <GatewayFrame
      title="History"
      description="Every call you made through Tally, with what it cost: a refunded call cost nothing."
    >
      <Stack gap="lg">
        <ResourceView resource={spend} loadingLabel="Loading the spend chart…">
          {(data) => <SpendSection spend={data} />}
        </ResourceView>
        <SectionCard
          title="Calls"
          description="Newest first. Sort by any column, search what is loaded, or export it as CSV."
        >
          <ResourceView
            resource={calls.first}
            loadingLabel="Loading your calls…"
            isEmpty={(page) => page.items.length === 0}
            empty={
              <Stack gap="sm">
                {serverFilter}
                <NothingYet title={server ? 'No call to this server yet' : 'No call yet'}>
                  {server
                    ? 'Choose another server, or all of them.'
                    : 'Give an MCP client a session key, or try a tool in the playground: each call appears here.'}
                </NothingYet>
              </Stack>
            }
          >
            {() => (
              <CallsTable
                calls={calls.items}
                grants={grants.data}
                toolbar={serverFilter}
                moreToLoad={calls.hasMore}
              />
            )}
          </ResourceView>
          <LoadOlder pages={calls} label="Load older calls" />
        </SectionCard>
      </Stack>
    </GatewayFrame>
  );
}
