import { BarChart } from '@mantine/charts';
import { ColorSwatch, Grid, Group, Table, Text } from '@mantine/core';
import type { CreditsActionPrice, CreditsUsageBucket } from '../../../api/types';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { formatCredits } from '../format';
import { CHART_DAYS, usageChartData } from './usageSeries';

/** Credits used per day over the last 30 days, stacked by action, with each action's exact total. */
export function UsageChartSection({
  buckets,
  days,
  prices,
}: {
  buckets: CreditsUsageBucket[];
  days: Date[];
  prices: CreditsActionPrice[] | undefined;
}) {
  const data = usageChartData(buckets, days, prices);
  return (
    <SectionCard
      title="Usage by action"
      description={`Credits used each day (UTC) over the last ${CHART_DAYS} days.`}
    >
      {data.series.length === 0 ? (
        <NothingYet title="Nothing used in the last 30 days">
          Credits are used when you invite someone to a workspace or your application charges an action. Each
          day's use appears here, by action.
        </NothingYet>
      ) : (
        <Grid gap="lg" align="center">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <figure
              style={{ margin: 0 }}
              aria-label={`Credits used per day by action; ${formatCredits(data.grandTotal)} in all`}
              data-testid="usage-chart"
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
                yAxisLabel="credits"
                yAxisProps={{ allowDecimals: false, width: 48 }}
                xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 16 }}
              />
            </figure>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Table.ScrollContainer minWidth={240}>
              <Table aria-label="Credits used by action" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Action</Table.Th>
                    <Table.Th ta="right">Used in {CHART_DAYS} days</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.totals.map((total) => (
                    <Table.Tr key={total.action}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <ColorSwatch
                            color={`var(--mantine-color-${total.color.replace('.', '-')})`}
                            size={12}
                            aria-hidden
                          />
                          <Text size="sm">{total.label}</Text>
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                        {formatCredits(total.total)}
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
