/** What every benchmark reads from its environment, read and checked one way. */

/** BENCH_SECONDS: how long each cell is measured, after its warm-up (3 by default). */
export function measuredSeconds(): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return 3;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`BENCH_SECONDS must be a positive number, not "${raw}"`);
  }
  return seconds;
}

/** BENCH_LOADED_TRANSFERS: how many transfers to load before the second pass (1,000,000; 0 skips it). */
export function loadedTransfers(): number {
  const raw = process.env.BENCH_LOADED_TRANSFERS;
  if (raw === undefined || raw === '') return 1_000_000;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`BENCH_LOADED_TRANSFERS must be a whole number, not "${raw}"`);
  }
  return count;
}

/**
 * BENCH_CELLS: which cells to run, as comma-separated parts of their names (`healthz,credits`); all
 * when unset. To profile or measure one cell alone.
 */
export function cellWanted(): (name: string) => boolean {
  const parts = process.env.BENCH_CELLS?.split(',').filter(Boolean);
  return (name) => !parts || parts.some((part) => name.includes(part));
}
