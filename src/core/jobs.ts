import { CronExpressionParser } from 'cron-parser';
import { sql } from 'drizzle-orm';
import type { Clock } from './clock';
import { type Db, parseTimestamp, queryRows } from './database';
import { AppError } from './errors';
import { newId } from './ids';
import type { Logger } from './log';
import { withDatabase } from './request-database';

/**
 * Queued and scheduled work, stored in the database so it survives restarts and is shared by every
 * Tally process on one PostgreSQL.
 *
 * - Delivery is at least once: a job is claimed with a lease (`FOR UPDATE SKIP LOCKED`), and a
 *   process that dies mid-job leaves a lease that runs out, after which another process runs it.
 * - A handler runs inside a transaction that also marks the job done, so its database effects are
 *   committed exactly once; effects outside the database must be idempotent.
 * - A failure is retried with exponential backoff until `maxAttempts`, then the job is `failed`.
 * - A schedule (cron, UTC) turns each occurrence into a job whose unique key is the occurrence
 *   time, under a row lock on the schedule: two processes never enqueue it twice, and occurrences
 *   missed while no process ran are each enqueued once when one starts again.
 *
 * Time is read from the injected clock, never from the database, so tests move it at will.
 */

export interface JobContext<P> {
  tx: Db;
  payload: P;
  jobId: string;
  attempt: number;
  runAt: Date;
}

export type JobHandler<P = unknown> = (context: JobContext<P>) => Promise<void>;

/**
 * `tenants`: the work also runs on every tenant's own database (src/core/request-database.ts) — the
 * work of data a tenant keeps there (its mail, its people's sessions, its ledger's holds) — and not
 * only on Tally's own.
 */
export interface TenantOption {
  tenants?: boolean;
}

/**
 * `beside`: a sweep that takes seconds (proving zero-knowledge proofs, say) runs beside the tick
 * instead of inside it, so the chain's sender and follower, the mail and every other sweep and job
 * do not wait for it. A run still going is not started again; `stop` waits for it.
 */
export interface SweepOptions extends TenantOption {
  beside?: boolean;
}

interface JobDefinition extends TenantOption {
  handler: JobHandler<never>;
  maxAttempts: number;
}

interface ScheduleDefinition extends TenantOption {
  cron: string;
  jobName: string;
}

interface IntervalTask extends SweepOptions {
  everyMs: number;
  task: () => Promise<unknown>;
  lastRunAt: number;
  /** A `beside` sweep's run still going. */
  running?: Promise<void>;
}

export interface EnqueueOptions {
  runAt?: Date;
  uniqueKey?: string;
  maxAttempts?: number;
}

interface ClaimedJob {
  id: string;
  name: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  run_at: string;
}

const MAX_BACKOFF_MS = 60 * 60 * 1000;
const CATCH_UP_LIMIT = 1000;

export const backoffMs = (attempt: number): number => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempt - 1));

export class JobRunner {
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly scheduleDefinitions = new Map<string, ScheduleDefinition>();
  private readonly intervals = new Map<string, IntervalTask>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** The tenant's database this runner works on, or undefined for Tally's own. */
  private scope: Db | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly leaseMs = 5 * 60 * 1000,
  ) {}

  define<P>(
    name: string,
    handler: JobHandler<P>,
    options: { maxAttempts?: number } & TenantOption = {},
  ): void {
    this.definitions.set(name, {
      handler: handler as JobHandler<never>,
      maxAttempts: options.maxAttempts ?? 10,
      tenants: options.tenants,
    });
  }

  /** Runs `jobName` at every occurrence of a five- or six-field cron expression, in UTC. */
  schedule(name: string, cron: string, jobName: string = name, options: TenantOption = {}): void {
    this.nextOccurrence(cron, this.clock.now());
    this.scheduleDefinitions.set(name, { cron, jobName, tenants: options.tenants });
  }

  /** A sweep that is safe to run anywhere at any time (idempotent by construction), run every `everyMs`. */
  every(name: string, everyMs: number, task: () => Promise<unknown>, options: SweepOptions = {}): void {
    this.intervals.set(name, {
      everyMs,
      task,
      lastRunAt: 0,
      tenants: options.tenants,
      beside: options.beside,
    });
  }

  /**
   * A runner of this one's tenant work on a tenant's own database: its jobs, schedules and sweeps
   * registered with `tenants`, each run with `db` as the database every scoped handle answers for.
   */
  forDatabase(db: Db): JobRunner {
    const runner = new JobRunner(db, this.clock, this.log, this.leaseMs);
    runner.scope = db;
    for (const [name, definition] of this.definitions) {
      if (definition.tenants) runner.definitions.set(name, definition);
    }
    for (const [name, definition] of this.scheduleDefinitions) {
      if (definition.tenants) runner.scheduleDefinitions.set(name, definition);
    }
    for (const [name, interval] of this.intervals) {
      if (interval.tenants) runner.intervals.set(name, { ...interval, lastRunAt: 0, running: undefined });
    }
    return runner;
  }

  /** Runs work in a transaction of the runner's database (for sweeps that enqueue jobs). */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Enqueues a job; pass a transaction to make the job part of the change that causes it (an outbox). */
  async enqueue(executor: Db, name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    const definition = this.definitions.get(name);
    if (!definition) throw new AppError('bad_request', `no job named ${name}`);
    return enqueueJob(executor, this.clock, name, payload, {
      ...options,
      maxAttempts: options.maxAttempts ?? definition.maxAttempts,
    });
  }

  /** Turns every due occurrence of every schedule into a job; returns how many were enqueued. */
  async materializeSchedules(): Promise<number> {
    let enqueued = 0;
    for (const [name, definition] of this.scheduleDefinitions) {
      enqueued += await this.db.transaction(async (tx) => {
        const now = this.clock.now();
        await tx.execute(sql`
          INSERT INTO core_schedules (name, cron, next_run_at, updated_at)
          VALUES (${name}, ${definition.cron}, ${this.nextOccurrence(definition.cron, now)}, ${now})
          ON CONFLICT (name) DO NOTHING`);
        const [row] = await queryRows<{ cron: string; next_run_at: string }>(
          tx,
          sql`SELECT cron, next_run_at::text FROM core_schedules WHERE name = ${name} FOR UPDATE`,
        );
        if (!row) return 0;
        let next = parseTimestamp(row.next_run_at);
        if (row.cron !== definition.cron) next = this.nextOccurrence(definition.cron, now);
        let count = 0;
        while (next.getTime() <= now.getTime() && count < CATCH_UP_LIMIT) {
          await enqueueJob(
            tx,
            this.clock,
            definition.jobName,
            { scheduledFor: next.toISOString() },
            {
              runAt: next,
              uniqueKey: `${name}@${next.toISOString()}`,
              maxAttempts: this.definitions.get(definition.jobName)?.maxAttempts ?? 10,
            },
          );
          count++;
          next = this.nextOccurrence(definition.cron, next);
        }
        await tx.execute(sql`
          UPDATE core_schedules SET cron = ${definition.cron}, next_run_at = ${next}, updated_at = ${now}
          WHERE name = ${name}`);
        return count;
      });
    }
    return enqueued;
  }

  /** Claims and runs due jobs until none is left (or `limit` ran); returns how many ran. */
  async runDue(limit = 1000): Promise<number> {
    let ran = 0;
    while (ran < limit) {
      const claimed = await this.claim(Math.min(10, limit - ran));
      if (claimed.length === 0) break;
      for (const job of claimed) await this.runClaimed(job);
      ran += claimed.length;
    }
    return ran;
  }

  /** One pass of the worker: schedules, sweeps, then due jobs. */
  async tick(): Promise<void> {
    if (this.scope) return withDatabase(this.scope, () => this.tickHere());
    return this.tickHere();
  }

  private async tickHere(): Promise<void> {
    await this.materializeSchedules();
    const nowMs = this.clock.now().getTime();
    for (const [name, interval] of this.intervals) {
      if (interval.running || nowMs - interval.lastRunAt < interval.everyMs) continue;
      interval.lastRunAt = nowMs;
      const run = interval
        .task()
        .then(() => {})
        .catch((error: unknown) => this.log.error({ err: error, task: name }, 'sweep failed'));
      if (!interval.beside) {
        await run;
        continue;
      }
      interval.running = run.finally(() => {
        interval.running = undefined;
      });
    }
    await this.runDue();
  }

  start(pollMs: number): void {
    if (this.timer) return;
    const loop = () => {
      this.ticking = this.tick()
        .catch((error: unknown) => this.log.error({ err: error }, 'job tick failed'))
        .finally(() => {
          this.ticking = undefined;
          if (this.timer) this.timer = setTimeout(loop, pollMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    await Promise.all([...this.intervals.values()].map((interval) => interval.running));
  }

  private nextOccurrence(cron: string, after: Date): Date {
    // cron-parser fills missing fields with `*`; a truncated expression must not mean "every minute".
    const fields = cron.trim().split(/\s+/).length;
    if (cron.trim() === '' || fields < 5 || fields > 6) {
      throw new AppError('bad_request', `invalid cron expression "${cron}": it needs five or six fields`);
    }
    try {
      return CronExpressionParser.parse(cron, { currentDate: after, tz: 'UTC' }).next().toDate();
    } catch (error) {
      throw new AppError('bad_request', `invalid cron expression "${cron}": ${(error as Error).message}`);
    }
  }

  private async claim(count: number): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const names = [...this.definitions.keys()];
    if (names.length === 0) return [];
    // A job whose worker died on its last allowed attempt is not tried again: it may be what kills workers.
    await this.db.execute(sql`
      UPDATE core_jobs SET state = 'failed', locked_until = NULL, finished_at = ${now},
        last_error = 'the worker stopped during the final attempt'
      WHERE name = ANY(${sql.param(names)}::text[]) AND state = 'running' AND locked_until <= ${now}
        AND attempts >= max_attempts`);
    const claimed = await queryRows<ClaimedJob>(
      this.db,
      sql`
        UPDATE core_jobs SET state = 'running', attempts = attempts + 1,
          locked_until = ${new Date(now.getTime() + this.leaseMs)}
        WHERE id IN (
          SELECT id FROM core_jobs
          WHERE name = ANY(${sql.param(names)}::text[])
            AND ((state = 'queued' AND run_at <= ${now}) OR (state = 'running' AND locked_until <= ${now}))
          ORDER BY run_at, id
          LIMIT ${count}
          FOR UPDATE SKIP LOCKED)
        RETURNING id, name, payload, attempts, max_attempts, run_at::text`,
    );
    // RETURNING keeps no order: run the batch oldest first.
    return claimed
      .map((job) => ({ job, runAt: parseTimestamp(job.run_at).getTime() }))
      .sort((a, b) => a.runAt - b.runAt || (a.job.id < b.job.id ? -1 : 1))
      .map(({ job }) => job);
  }

  private async runClaimed(job: ClaimedJob): Promise<void> {
    const definition = this.definitions.get(job.name);
    if (!definition) return;
    try {
      await this.db.transaction(async (tx) => {
        await definition.handler({
          tx,
          payload: job.payload as never,
          jobId: job.id,
          attempt: job.attempts,
          runAt: parseTimestamp(job.run_at),
        });
        const done = await queryRows<{ id: string }>(
          tx,
          sql`UPDATE core_jobs SET state = 'done', finished_at = ${this.clock.now()}, locked_until = NULL, last_error = NULL
              WHERE id = ${job.id} AND state = 'running' AND attempts = ${job.attempts} RETURNING id`,
        );
        // Our lease ran out and another process took the job: undo our effects, theirs stand.
        if (done.length === 0) throw new LeaseLostError();
      });
    } catch (error) {
      if (error instanceof LeaseLostError) return;
      const message = error instanceof Error ? error.message : String(error);
      const finalFailure = job.attempts >= job.max_attempts;
      this.log.warn({ job: job.name, jobId: job.id, attempt: job.attempts, err: error }, 'job failed');
      await this.db.execute(sql`
        UPDATE core_jobs SET
          state = ${finalFailure ? 'failed' : 'queued'},
          run_at = ${new Date(this.clock.now().getTime() + backoffMs(job.attempts))},
          locked_until = NULL, last_error = ${message.slice(0, 2000)},
          finished_at = ${finalFailure ? this.clock.now() : null}
        WHERE id = ${job.id} AND attempts = ${job.attempts}`);
    }
  }
}

class LeaseLostError extends Error {}

/** Inserts a job row; with a unique key, a second insert of the same key is a no-op. Returns the job's id either way. */
export async function enqueueJob(
  executor: Db,
  clock: Clock,
  name: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<string> {
  const now = clock.now();
  const [inserted] = await queryRows<{ id: string }>(
    executor,
    sql`
    INSERT INTO core_jobs (id, name, payload, state, run_at, attempts, max_attempts, unique_key, created_at)
    VALUES (${newId()}, ${name}, ${JSON.stringify(payload ?? {})}::jsonb, 'queued', ${options.runAt ?? now}, 0,
            ${options.maxAttempts ?? 10}, ${options.uniqueKey ?? null}, ${now})
    ON CONFLICT (unique_key) DO NOTHING
    RETURNING id`,
  );
  if (inserted) return inserted.id;
  const [existing] = await queryRows<{ id: string }>(
    executor,
    sql`SELECT id FROM core_jobs WHERE unique_key = ${options.uniqueKey ?? null}`,
  );
  if (!existing) throw new AppError('internal', `job ${name} was neither inserted nor found`);
  return existing.id;
}
