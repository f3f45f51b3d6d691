import fs from 'node:fs';
import pg from 'pg';

/**
 * Counts the statements sent to PostgreSQL by this process: every query of node-postgres' clients,
 * BEGIN and COMMIT included. (PGlite runs a transaction's statements on an object of its own: not
 * counted.) Call `countStatements` once; read `statementsSent()` before and after a cell.
 */
let sent = 0;
let counting = false;

export function countStatements(): void {
  if (counting) return;
  counting = true;
  const proto = pg.Client.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = proto.query!;
  proto.query = function (this: unknown, ...args: unknown[]) {
    sent++;
    return original.apply(this, args);
  };
}

export const statementsSent = (): number => sent;

/**
 * CPU time of every PostgreSQL process on this machine, in microseconds (user + system, from
 * /proc), or undefined where that cannot be read (another machine, no /proc). A benchmark against a
 * local server reads it before and after a cell to say what the database spent per request.
 */
export function postgresCpuMicros(): number | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const ticksPerSecond = 100;
  let ticks = 0;
  let found = false;
  for (const pid of entries) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    if (name !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the name: state is 0, utime 11, stime 12 (proc(5) numbers them 3, 14 and 15).
    ticks += Number(fields[11]) + Number(fields[12]);
    found = true;
  }
  return found ? (ticks * 1_000_000) / ticksPerSecond : undefined;
}
