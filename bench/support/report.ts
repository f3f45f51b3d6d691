import type { RunStats } from './runner';
import type { WorkloadName } from './workloads';

export interface ResultRow {
  workload: WorkloadName;
  clients: number;
  callSize: number;
  stats: RunStats;
}

const REFERENCE =
  'Reference: pgledger (PostgreSQL ledger in plpgsql, one transfer per call, random pairs) on a machine of ' +
  'this kind against PostgreSQL 15 on 127.0.0.1: 2,179 transfers/s with 1,000 accounts and 32 workers; ' +
  '2,417/s with 50 accounts and 20 workers; 806/s on a hot pair with 20 workers. ' +
  'Target for Tally on PostgreSQL: >= 5,000/s spread, >= 1,600/s hot pair.';

interface TargetLine {
  workload: WorkloadName;
  target: number;
  pgledger: number;
  pgledgerSetup: string;
}

const TARGETS: readonly TargetLine[] = [
  { workload: 'spread', target: 5_000, pgledger: 2_179, pgledgerSetup: '1,000 accounts, 32 workers' },
  { workload: 'hot pair', target: 1_600, pgledger: 806, pgledgerSetup: 'hot pair, 20 workers' },
];

const COMPARED_CLIENTS = 32;
const CALL_SIZES = [1, 100] as const;

const COLUMNS = [
  { title: 'workload', width: 10, align: 'left' },
  { title: 'clients', width: 7, align: 'right' },
  { title: 'call size', width: 9, align: 'right' },
  { title: 'transfers/s', width: 11, align: 'right' },
  { title: 'p50 ms', width: 8, align: 'right' },
  { title: 'p99 ms', width: 8, align: 'right' },
] as const;

export function formatTable(title: string, rows: readonly ResultRow[]): string {
  const header = formatLine(COLUMNS.map((c) => c.title));
  const lines = rows.map((row) =>
    formatLine([
      row.workload,
      String(row.clients),
      String(row.callSize),
      formatCount(row.stats.transfersPerSecond),
      formatMs(row.stats.p50Ms),
      formatMs(row.stats.p99Ms),
    ]),
  );
  return [title, header, '-'.repeat(header.length), ...lines].join('\n');
}

function formatLine(cells: readonly string[]): string {
  return COLUMNS.map((column, index) => {
    const cell = cells[index] ?? '';
    return column.align === 'left' ? cell.padEnd(column.width) : cell.padStart(column.width);
  }).join('  ');
}

/** The pgledger reference, and for each target Tally's PostgreSQL figures at 32 clients. */
export function formatComparison(
  postgresRows: readonly ResultRow[] | undefined,
  skippedReason?: string,
): string {
  const lines = [REFERENCE, ''];
  for (const target of TARGETS) {
    lines.push(
      `${target.workload}: target >= ${formatCount(target.target)}/s; ` +
        `pgledger ${formatCount(target.pgledger)}/s (${target.pgledgerSetup})`,
    );
    for (const callSize of CALL_SIZES) {
      const label = `  Tally, ${COMPARED_CLIENTS} clients, ${callSize === 1 ? '1 transfer' : `${callSize} transfers`} per call:`;
      const best = postgresRows ? bestFigure(postgresRows, target.workload, callSize) : undefined;
      lines.push(
        `${label.padEnd(45)}${best === undefined ? notMeasured(skippedReason) : verdict(best, target)}`,
      );
    }
  }
  return lines.join('\n');
}

function bestFigure(
  rows: readonly ResultRow[],
  workload: WorkloadName,
  callSize: number,
): number | undefined {
  const figures = rows
    .filter((r) => r.workload === workload && r.clients === COMPARED_CLIENTS && r.callSize === callSize)
    .map((r) => r.stats.transfersPerSecond);
  return figures.length > 0 ? Math.max(...figures) : undefined;
}

function verdict(perSecond: number, target: TargetLine): string {
  const ratio = (perSecond / target.pgledger).toFixed(2);
  const outcome = perSecond >= target.target ? 'PASS' : 'BELOW';
  return `${formatCount(perSecond).padStart(9)}/s  ${ratio.padStart(6)}x pgledger  ${outcome}`;
}

const notMeasured = (reason: string | undefined): string =>
  `not measured${reason ? ` (PostgreSQL skipped: ${reason})` : ''}`;

const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

const formatMs = (value: number): string => (Number.isNaN(value) ? 'n/a' : value.toFixed(2));
