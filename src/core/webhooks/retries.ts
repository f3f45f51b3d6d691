/**
 * When a delivery that failed is tried again: soon at first (an endpoint restarting), then further
 * apart (an endpoint down for the night), over about two days in all, as Stripe's retries run.
 * The n-th wait follows the n-th failed attempt; after the last attempt the delivery fails.
 */
const RETRY_DELAYS_MS = [
  30_000,
  2 * 60_000,
  10 * 60_000,
  3600_000,
  6 * 3600_000,
  12 * 3600_000,
  24 * 3600_000,
] as const;

/** The attempts a delivery gets: the first, and one after each wait. */
export const WEBHOOK_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** How far each wait may move either way, so endpoints that failed together are not retried together. */
export const RETRY_JITTER = 0.1;

/** The wait after failed attempt number `attempt` (1-based), jittered by `random` (in [0, 1)). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = RETRY_DELAYS_MS[Math.min(Math.max(attempt, 1), RETRY_DELAYS_MS.length) - 1]!;
  return Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}
