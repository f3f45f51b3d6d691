import type { GatewaySpendItem } from '../types';

const DAY_MS = 24 * 60 * 60 * 1000;
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

export interface ServerTotal {
  server: string;
  color: string;
  amount: bigint;
  calls: number;
}

export interface SpendChartData {
  /** One row per UTC day, every day present; amounts in micro-units (whole numbers, exact as numbers). */
  rows: Record<string, string | number>[];
  series: { name: string; label: string; color: string }[];
  totals: ServerTotal[];
  total: bigint;
  calls: number;
}

/** The last `days` UTC days, today included, as `YYYY-MM-DD`. */
export function lastDays(now: Date, days: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) =>
    new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/**
 * The spend chart's rows (stacked by server) and each server's exact total. Recharts needs numbers:
 * the rows hold micro-units, whole numbers a double holds exactly, so nothing is rounded.
 */
export function spendChartData(items: GatewaySpendItem[], days: string[]): SpendChartData {
  const servers = [...new Set(items.map((item) => item.server))].sort();
  const key = (i: number) => `s${i}`;
  const rows = days.map((day) => {
    const row: Record<string, string | number> = { day: dayLabel.format(new Date(`${day}T00:00:00Z`)) };
    servers.forEach((server, i) => {
      row[key(i)] = items
        .filter((item) => item.day === day && item.server === server)
        .reduce((sum, item) => sum + Number(item.amount), 0);
    });
    return row;
  });
  const series = servers.map((server, i) => ({
    name: key(i),
    label: server,
    color: palette[i % palette.length]!,
  }));
  const totals = servers.map((server, i) => {
    const own = items.filter((item) => item.server === server);
    return {
      server,
      color: series[i]!.color,
      amount: own.reduce((sum, item) => sum + BigInt(item.amount), 0n),
      calls: own.reduce((sum, item) => sum + item.calls, 0),
    };
  });
  totals.sort((a, b) =>
    a.amount === b.amount ? a.server.localeCompare(b.server) : a.amount > b.amount ? -1 : 1,
  );
  return {
    rows,
    series,
    totals,
    total: totals.reduce((sum, t) => sum + t.amount, 0n),
    calls: totals.reduce((sum, t) => sum + t.calls, 0),
  };
}
