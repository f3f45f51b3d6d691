import type { CreditsActionPrice, CreditsUsageBucket } from '../../../api/types';
import { actionLabel } from '../format';

export const CHART_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The chart's range: the last 30 UTC days, today included (the API buckets days in UTC). */
export function chartRange(now: Date): { from: string; to: string; days: Date[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: CHART_DAYS }, (_, i) => new Date(today - (CHART_DAYS - 1 - i) * DAY_MS));
  return {
    from: days[0]!.toISOString(),
    to: new Date(today + DAY_MS).toISOString(),
    days,
  };
}

const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

const palette = [
  'blue.7',
  'teal.7',
  'orange.7',
  'grape.7',
  'red.7',
  'cyan.7',
  'lime.8',
  'pink.7',
  'indigo.7',
];

export interface ActionTotal {
  action: string;
  label: string;
  color: string;
  total: bigint;
}

export interface UsageChartData {
  rows: Record<string, string | number>[];
  series: { name: string; label: string; color: string }[];
  totals: ActionTotal[];
  grandTotal: bigint;
}

/**
 * Rows of the stacked bar chart, one per day with every day present, and each action's exact total.
 * Bar heights need numbers; the exact amounts (bigint) are the totals, shown beside the chart.
 */
export function usageChartData(
  buckets: CreditsUsageBucket[],
  days: Date[],
  prices: CreditsActionPrice[] | undefined,
): UsageChartData {
  const actions = [...new Set(buckets.map((bucket) => bucket.action))].sort();
  const byDay = new Map<number, Map<string, bigint>>();
  for (const bucket of buckets) {
    const day = Date.parse(bucket.bucket);
    const amounts = byDay.get(day) ?? new Map<string, bigint>();
    amounts.set(bucket.action, (amounts.get(bucket.action) ?? 0n) + BigInt(bucket.amount));
    byDay.set(day, amounts);
  }
  const rows = days.map((day) => {
    const amounts = byDay.get(day.getTime());
    const row: Record<string, string | number> = { day: dayLabel.format(day) };
    for (const action of actions) row[action] = Number(amounts?.get(action) ?? 0n);
    return row;
  });
  const series = actions.map((action, i) => ({
    name: action,
    label: actionLabel(prices, action),
    color: palette[i % palette.length]!,
  }));
  const totals = series.map((s) => ({
    action: s.name,
    label: s.label,
    color: s.color,
    total: buckets.filter((b) => b.action === s.name).reduce((sum, b) => sum + BigInt(b.amount), 0n),
  }));
  return { rows, series, totals, grandTotal: totals.reduce((sum, t) => sum + t.total, 0n) };
}
