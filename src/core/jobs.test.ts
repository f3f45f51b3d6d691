import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, freshDatabase, testDatabaseUrl } from '../../test/support/database';
import { TestClock } from './clock';
import { type Database, type Db, openDatabase, parseTimestamp, queryRows } from './database';
import { AppError } from './errors';
import { backoffMs, JobRunner } from './jobs';
import { silentLogger } from './log';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Two connection pools on one new, migrated PostgreSQL database, as two Tally processes would have
 * them; `close` ends both and drops the database.
 */
async function openTwoPools(): Promise<{
  first: Database;
  second: Database;
  close: () => Promise<void>;
}> {
  const created = await createPostgresDatabase();
  const first = await openDatabase({ url: created.url, poolSize: 8 });
  const second = await openDatabase({ url: created.url, poolSize: 8 });
  await first.migrate();
  return {
    first,
    second,
    close: async () => {
      await Promise.all([first.close(), second.close()]);
      await created.drop();
    },
  };
}

interface JobRow {
  id: string;
  name: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  payload: unknown;
  uniqueKey: string | null;
  lastError: string | null;
  runAt: string;
  lockedUntil: string | null;
  finishedAt: string | null;
}

const iso = (text: string | null): string | null =>
  text === null ? null : parseTimestamp(text).toISOString();

async function selectJobs(executor: Db, where: ReturnType<typeof sql>): Promise<JobRow[]> {
  const rows = await queryRows<{
    id: string;
    name: string;
    state: string;
    attempts: number;
    max_attempts: number;
    payload: unknown;
    unique_key: string | null;
    last_error: string | null;
    run_at: string;
    locked_until: string | null;
    finished_at: string | null;
  }>(
    executor,
    sql`SELECT id, name, state, attempts, max_attempts, payload, unique_key, last_error, run_at::text AS run_at,
          locked_until::text AS locked_until, finished_at::text AS finished_at
        FROM core_jobs WHERE ${where} ORDER BY run_at, id`,
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    payload: row.payload,
    uniqueKey: row.unique_key,
    lastError: row.last_error,
    runAt: iso(row.run_at)!,
    lockedUntil: iso(row.locked_until),
    finishedAt: iso(row.finished_at),
  }));
}

let db: Db;

beforeAll(async () => {
  db = (await freshDatabase()).db;
  await db.execute(
    sql`CREATE TABLE job_effects (seq serial PRIMARY KEY, job_id uuid NOT NULL, note text NOT NULL)`,
  );
});

async function jobRow(id: string): Promise<JobRow> {
  const [row] = await selectJobs(db, sql`id = ${id}`);
  if (!row) throw new Error(`no job ${id}`);
  return row;
}

const jobsNamed = (name: string) => selectJobs(db, sql`name = ${name}`);

async function effectsOf(jobId: string): Promise<string[]> {
  const rows = await queryRows<{ note: string }>(
    db,
    sql`SELECT note FROM job_effects WHERE job_id = ${jobId} ORDER BY seq`,
  );
  return rows.map((row) => row.note);
}

async function nextRunAt(schedule: string): Promise<string | null> {
  const [row] = await queryRows<{ next_run_at: string }>(
    db,
    sql`SELECT next_run_at::text AS next_run_at FROM core_schedules WHERE name = ${schedule}`,
  );
  return row ? iso(row.next_run_at) : null;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('backoffMs', () => {
  it('doubles from one second per attempt and is capped at one hour', () => {
    expect([1, 2, 3, 4, 10].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 512_000]);
    expect(backoffMs(12)).toBe(2_048_000);
    expect(backoffMs(13)).toBe(HOUR);
    expect(backoffMs(100)).toBe(HOUR);
  });
});

describe('queued jobs', () => {
  it('runs an enqueued job once, with its payload, and marks it done', async () => {
    const clock = new TestClock('2026-02-01T09:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    const seen: { payload: unknown; jobId: string; attempt: number; runAt: string }[] = [];
    runner.define('once.greet', async ({ tx, payload, jobId, attempt, runAt }) => {
      seen.push({ payload, jobId, attempt, runAt: runAt.toISOString() });
      await tx.execute(sql`INSERT INTO job_effects (job_id, note) VALUES (${jobId}, 'greeted')`);
    });

    const id = await runner.enqueue(db, 'once.greet', { to: 'ada', amount: '12.50' });
    expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 10 });

    expect(await runner.runDue()).toBe(1);
    expect(seen).toEqual([
      { payload: { to: 'ada', amount: '12.50' }, jobId: id, attempt: 1, runAt: '2026-02-01T09:00:00.000Z' },
    ]);
    expect(await jobRow(id)).toMatchObject({
      state: 'done',
      attempts: 1,
      lastError: null,
      lockedUntil: null,
      finishedAt: '2026-02-01T09:00:00.000Z',
    });
    expect(await effectsOf(id)).toEqual(['greeted']);

    expect(await runner.runDue()).toBe(0);
    clock.advance(7 * DAY);
    expect(await runner.runDue()).toBe(0);
    expect(seen).toHaveLength(1);
    expect(await effectsOf(id)).toEqual(['greeted']);
  });

  it('does not run a job before its runAt', async () => {
    const clock = new TestClock('2026-02-02T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    let runs = 0;
    runner.define('later.job', async () => {
      runs++;
    });
    const id = await runner.enqueue(db, 'later.job', {}, { runAt: new Date('2026-02-02T00:01:00Z') });

    expect(await runner.runDue()).toBe(0);
    clock.advance(MINUTE - 1);
    expect(await runner.runDue()).toBe(0);
    expect(runs).toBe(0);
    clock.advance(1);
    expect(await runner.runDue()).toBe(1);
    expect(runs).toBe(1);
    expect((await jobRow(id)).state).toBe('done');
  });

  it('claims the oldest due jobs first, runs more than one claim batch per call, and honours the limit', async () => {
    const clock = new TestClock('2026-02-03T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    const order: number[] = [];
    runner.define<{ n: number }>('ordered.job', async ({ payload }) => {
      order.push(payload.n);
    });
    for (let n = 24; n >= 0; n--) {
      await runner.enqueue(db, 'ordered.job', { n }, { runAt: new Date(clock.now().getTime() - n * SECOND) });
    }
    expect(await runner.runDue(3)).toBe(3);
    // Within one claimed batch the order is not defined, only which jobs are claimed.
    expect([...order].sort((x, y) => y - x)).toEqual([24, 23, 22]);
    expect(await runner.runDue()).toBe(22);
    expect(order.slice(3).sort((x, y) => y - x)).toEqual(Array.from({ length: 22 }, (_, i) => 21 - i));
    expect((await jobsNamed('ordered.job')).every((job) => job.state === 'done')).toBe(true);
  });

  it('refuses to enqueue a job it has no handler for', async () => {
    const runner = new JobRunner(db, new TestClock(), silentLogger);
    const error = await rejection(runner.enqueue(db, 'nobody.handles.this', {}));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('bad_request');
    expect(await jobsNamed('nobody.handles.this')).toEqual([]);
  });

  it('leaves jobs it has no handler for to the runners that have one', async () => {
    const clock = new TestClock('2026-02-04T00:00:00Z');
    const owner = new JobRunner(db, clock, silentLogger);
    const other = new JobRunner(db, clock, silentLogger);
    let runs = 0;
    owner.define('owned.job', async () => {
      runs++;
    });
    other.define('unrelated.job', async () => {});
    const id = await owner.enqueue(db, 'owned.job', {});

    expect(await other.runDue()).toBe(0);
    expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await owner.runDue()).toBe(1);
    expect(runs).toBe(1);
  });

  it('never runs a job enqueued in a transaction that rolls back, and runs one whose transaction commits', async () => {
    const clock = new TestClock('2026-02-05T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    const ran: string[] = [];
    runner.define<{ order: string }>('outbox.job', async ({ payload }) => {
      ran.push(payload.order);
    });

    const failed = await rejection(
      db.transaction(async (tx) => {
        await runner.enqueue(tx, 'outbox.job', { order: 'rolled back' });
        throw new Error('the change that caused the job failed');
      }),
    );
    expect((failed as Error).message).toBe('the change that caused the job failed');
    await db.transaction(async (tx) => {
      await runner.enqueue(tx, 'outbox.job', { order: 'committed' });
    });

    expect((await jobsNamed('outbox.job')).map((job) => job.payload)).toEqual([{ order: 'committed' }]);
    expect(await runner.runDue()).toBe(1);
    clock.advance(DAY);
    expect(await runner.runDue()).toBe(0);
    expect(ran).toEqual(['committed']);
  });

  it('enqueues a job with a unique key only once', async () => {
    const clock = new TestClock('2026-02-06T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    let runs = 0;
    runner.define('keyed.job', async () => {
      runs++;
    });
    await runner.enqueue(db, 'keyed.job', { n: 1 }, { uniqueKey: 'keyed.job:42' });
    await runner.enqueue(db, 'keyed.job', { n: 2 }, { uniqueKey: 'keyed.job:42' });
    await runner.enqueue(db, 'keyed.job', { n: 3 }, { uniqueKey: 'keyed.job:43' });

    const jobs = await jobsNamed('keyed.job');
    expect(jobs.map((job) => [job.uniqueKey, job.payload])).toEqual([
      ['keyed.job:42', { n: 1 }],
      ['keyed.job:43', { n: 3 }],
    ]);
    expect(await runner.runDue()).toBe(2);
    expect(runs).toBe(2);
  });
});

describe('failures and retries', () => {
  it('retries a failing job with exponential backoff, then marks it failed with the last error', async () => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    const attempts: number[] = [];
    runner.define(
      'always.fails',
      async ({ attempt }) => {
        attempts.push(attempt);
        throw new Error(`boom ${attempt}`);
      },
      { maxAttempts: 3 },
    );
    const id = await runner.enqueue(db, 'always.fails', {});
    expect((await jobRow(id)).maxAttempts).toBe(3);

    expect(await runner.runDue()).toBe(1);
    for (const attempt of [2, 3]) {
      const failedAt = clock.now().getTime();
      expect(await jobRow(id)).toMatchObject({
        state: 'queued',
        attempts: attempt - 1,
        lastError: `boom ${attempt - 1}`,
        lockedUntil: null,
        finishedAt: null,
        runAt: new Date(failedAt + backoffMs(attempt - 1)).toISOString(),
      });
      // not one millisecond before the backoff has passed
      expect(await runner.runDue()).toBe(0);
      clock.advance(backoffMs(attempt - 1) - 1);
      expect(await runner.runDue()).toBe(0);
      clock.advance(1);
      expect(await runner.runDue()).toBe(1);
    }

    expect(attempts).toEqual([1, 2, 3]);
    expect(await jobRow(id)).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: 'boom 3',
      lockedUntil: null,
      finishedAt: clock.now().toISOString(),
    });
    clock.advance(30 * DAY);
    expect(await runner.runDue()).toBe(0);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('takes maxAttempts from enqueue over the definition', async () => {
    const clock = new TestClock('2026-03-02T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    runner.define(
      'fails.once.only',
      async () => {
        throw new Error('no retries for this one');
      },
      { maxAttempts: 5 },
    );
    const id = await runner.enqueue(db, 'fails.once.only', {}, { maxAttempts: 1 });
    expect(await runner.runDue()).toBe(1);
    expect(await jobRow(id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      maxAttempts: 1,
      lastError: 'no retries for this one',
    });
  });

  it('rolls back what a failing handler wrote, so its database effects happen exactly once', async () => {
    const clock = new TestClock('2026-03-03T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    runner.define('writes.then.fails', async ({ tx, jobId, attempt }) => {
      await tx.execute(
        sql`INSERT INTO job_effects (job_id, note) VALUES (${jobId}, ${`attempt ${attempt}`})`,
      );
      if (attempt === 1) throw new Error('failed after writing');
    });
    const id = await runner.enqueue(db, 'writes.then.fails', {});

    expect(await runner.runDue()).toBe(1);
    expect(await effectsOf(id)).toEqual([]);
    expect(await jobRow(id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      lastError: 'failed after writing',
    });

    clock.advance(backoffMs(1));
    expect(await runner.runDue()).toBe(1);
    expect(await effectsOf(id)).toEqual(['attempt 2']);
    expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 2, lastError: null });

    clock.advance(DAY);
    expect(await runner.runDue()).toBe(0);
    expect(await effectsOf(id)).toEqual(['attempt 2']);
  });

  it('records a thrown non-Error as the last error', async () => {
    const clock = new TestClock('2026-03-04T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    runner.define(
      'throws.a.string',
      async () => {
        throw 'plain string failure';
      },
      { maxAttempts: 1 },
    );
    const id = await runner.enqueue(db, 'throws.a.string', {});
    expect(await runner.runDue()).toBe(1);
    expect(await jobRow(id)).toMatchObject({ state: 'failed', lastError: 'plain string failure' });
  });
});

describe('leases', () => {
  it('runs again a job whose worker died holding it, once the lease has run out', async () => {
    const clock = new TestClock('2026-04-01T00:00:00Z');
    const leaseMs = 30 * SECOND;
    const runner = new JobRunner(db, clock, silentLogger, leaseMs);
    const attempts: number[] = [];
    runner.define('survives.crash', async ({ tx, jobId, attempt }) => {
      attempts.push(attempt);
      await tx.execute(sql`INSERT INTO job_effects (job_id, note) VALUES (${jobId}, 'after the crash')`);
    });
    const id = await runner.enqueue(db, 'survives.crash', {});
    // Another worker claimed the job (attempt 1) and then died without finishing or failing it.
    await db.execute(sql`
      UPDATE core_jobs SET state = 'running', attempts = 1, locked_until = ${new Date(clock.now().getTime() + leaseMs)}
      WHERE id = ${id}`);

    expect(await runner.runDue()).toBe(0);
    clock.advance(leaseMs - 1);
    expect(await runner.runDue()).toBe(0);
    expect(attempts).toEqual([]);

    clock.advance(1);
    expect(await runner.runDue()).toBe(1);
    expect(attempts).toEqual([2]);
    expect(await jobRow(id)).toMatchObject({
      state: 'done',
      attempts: 2,
      lockedUntil: null,
      lastError: null,
    });
    expect(await effectsOf(id)).toEqual(['after the crash']);
  });

  it('picks up a running job whose lease is already in the past', async () => {
    const clock = new TestClock('2026-04-02T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    let runs = 0;
    runner.define('stale.lease', async () => {
      runs++;
    });
    const id = await runner.enqueue(db, 'stale.lease', {});
    await db.execute(sql`
      UPDATE core_jobs SET state = 'running', attempts = 1, locked_until = ${new Date(clock.now().getTime() - HOUR)}
      WHERE id = ${id}`);
    expect(await runner.runDue()).toBe(1);
    expect(runs).toBe(1);
    expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('claims a job under a lease of leaseMs, committed before the handler runs', async () => {
    const clock = new TestClock('2026-04-03T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger, MINUTE);
    const seenInHandler: JobRow[] = [];
    runner.define('leased.job', async ({ tx, jobId }) => {
      seenInHandler.push(...(await selectJobs(tx, sql`id = ${jobId}`)));
    });
    const id = await runner.enqueue(db, 'leased.job', {});
    expect(await runner.runDue()).toBe(1);
    expect(seenInHandler).toHaveLength(1);
    expect(seenInHandler[0]).toMatchObject({
      state: 'running',
      attempts: 1,
      lockedUntil: new Date(clock.now().getTime() + MINUTE).toISOString(),
    });
    expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 1, lockedUntil: null });
  });

  it.runIf(testDatabaseUrl)(
    'undoes the work of a worker whose lease ran out and was taken over, keeping the new worker’s',
    async () => {
      const clock = new TestClock('2026-04-04T00:00:00Z');
      const slow = new JobRunner(db, clock, silentLogger, MINUTE);
      const fast = new JobRunner(db, clock, silentLogger, MINUTE);
      let entered!: () => void;
      const handlerEntered = new Promise<void>((resolve) => {
        entered = resolve;
      });
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      slow.define('taken.over', async ({ tx, jobId }) => {
        await tx.execute(sql`INSERT INTO job_effects (job_id, note) VALUES (${jobId}, 'slow')`);
        entered();
        await released;
      });
      fast.define('taken.over', async ({ tx, jobId, attempt }) => {
        await tx.execute(sql`INSERT INTO job_effects (job_id, note) VALUES (${jobId}, ${`fast ${attempt}`})`);
      });
      const id = await slow.enqueue(db, 'taken.over', {});

      const slowRun = slow.runDue();
      await handlerEntered;
      expect(await fast.runDue()).toBe(0);
      clock.advance(MINUTE);
      expect(await fast.runDue()).toBe(1);
      release();
      await slowRun;

      expect(await effectsOf(id)).toEqual(['fast 2']);
      expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 2, lastError: null });
    },
  );
});

describe('schedules', () => {
  it('rejects an invalid cron expression and does not register it', async () => {
    const runner = new JobRunner(db, new TestClock(), silentLogger);
    for (const cron of ['not a cron', '61 * * * *', '* * * * * * *', '0 0 31 2 *']) {
      let error: unknown;
      try {
        runner.schedule('broken', cron);
      } catch (caught) {
        error = caught;
      }
      expect(error, cron).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('bad_request');
      expect((error as AppError).message).toContain(cron);
    }
    expect(await runner.materializeSchedules()).toBe(0);
    expect(await nextRunAt('broken')).toBeNull();
  });

  it('materialises each occurrence once, however often and by however many runners, and catches up after downtime', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const seen: string[] = [];
    const makeRunner = () => {
      const runner = new JobRunner(db, clock, silentLogger);
      runner.define<{ scheduledFor: string }>('nightly.report', async ({ payload, runAt }) => {
        // Each run is for the occurrence it was scheduled at.
        seen.push(runAt.toISOString() === payload.scheduledFor ? payload.scheduledFor : 'runAt mismatch');
      });
      runner.schedule('nightly', '0 0 * * *', 'nightly.report');
      return runner;
    };
    const a = makeRunner();
    const b = makeRunner();
    const materializeMany = async () => {
      const counts = [
        await a.materializeSchedules(),
        await a.materializeSchedules(),
        await b.materializeSchedules(),
      ];
      counts.push(...(await Promise.all([a.materializeSchedules(), b.materializeSchedules()])));
      return counts.reduce((x, y) => x + y, 0);
    };

    // The first occurrence is the next midnight; nothing is due yet.
    expect(await materializeMany()).toBe(0);
    expect(await nextRunAt('nightly')).toBe('2026-05-02T00:00:00.000Z');
    expect(await jobsNamed('nightly.report')).toEqual([]);

    clock.set('2026-05-02T00:00:00Z');
    expect(await materializeMany()).toBe(1);
    expect(await nextRunAt('nightly')).toBe('2026-05-03T00:00:00.000Z');
    const [first, ...others] = await jobsNamed('nightly.report');
    expect(others).toEqual([]);
    expect(first).toMatchObject({
      state: 'queued',
      uniqueKey: 'nightly@2026-05-02T00:00:00.000Z',
      payload: { scheduledFor: '2026-05-02T00:00:00.000Z' },
      runAt: '2026-05-02T00:00:00.000Z',
    });
    expect(await a.runDue()).toBe(1);
    expect(await b.runDue()).toBe(0);
    expect(seen).toEqual(['2026-05-02T00:00:00.000Z']);

    // Nothing runs for three days (and six hours): every missed midnight is enqueued exactly once.
    clock.advance(3 * DAY + 6 * HOUR);
    expect(await materializeMany()).toBe(3);
    expect(await nextRunAt('nightly')).toBe('2026-05-06T00:00:00.000Z');
    const missed = ['2026-05-03T00:00:00.000Z', '2026-05-04T00:00:00.000Z', '2026-05-05T00:00:00.000Z'];
    const jobs = await jobsNamed('nightly.report');
    expect(jobs.map((job) => [job.uniqueKey, job.payload, job.runAt])).toEqual(
      ['2026-05-02T00:00:00.000Z', ...missed].map((at) => [`nightly@${at}`, { scheduledFor: at }, at]),
    );

    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);
    expect([...seen].sort()).toEqual(['2026-05-02T00:00:00.000Z', ...missed]);
    expect((await jobsNamed('nightly.report')).map((job) => job.state)).toEqual([
      'done',
      'done',
      'done',
      'done',
    ]);
  });

  it('names the job after the schedule by default and takes the job definition’s maxAttempts', async () => {
    const clock = new TestClock('2026-05-10T00:00:30Z');
    const runner = new JobRunner(db, clock, silentLogger);
    runner.define('hourly.cleanup', async () => {}, { maxAttempts: 4 });
    runner.schedule('hourly.cleanup', '0 * * * *');
    await runner.tick();
    clock.set('2026-05-10T01:00:00Z');
    await runner.materializeSchedules();
    expect(await jobsNamed('hourly.cleanup')).toEqual([
      expect.objectContaining({
        uniqueKey: 'hourly.cleanup@2026-05-10T01:00:00.000Z',
        maxAttempts: 4,
        payload: { scheduledFor: '2026-05-10T01:00:00.000Z' },
      }),
    ]);
  });

  it('catches up a long downtime in bounded batches without losing or repeating an occurrence', async () => {
    const clock = new TestClock('2026-05-20T00:00:30Z');
    const runner = new JobRunner(db, clock, silentLogger);
    runner.define('minutely', async () => {});
    runner.schedule('minutely', '* * * * *');
    expect(await runner.materializeSchedules()).toBe(0);

    clock.advance(1500 * MINUTE);
    // At most 1000 occurrences per schedule per call (CATCH_UP_LIMIT); the rest come on the next call.
    expect(await runner.materializeSchedules()).toBe(1000);
    expect(await runner.materializeSchedules()).toBe(500);
    expect(await runner.materializeSchedules()).toBe(0);

    const jobs = await jobsNamed('minutely');
    expect(jobs).toHaveLength(1500);
    const start = new Date('2026-05-20T00:01:00Z').getTime();
    expect(jobs.map((job) => job.runAt)).toEqual(
      Array.from({ length: 1500 }, (_, i) => new Date(start + i * MINUTE).toISOString()),
    );
    expect(new Set(jobs.map((job) => job.uniqueKey)).size).toBe(1500);
  });
});

describe('the worker loop', () => {
  it('runs sweeps every `everyMs`, and a failing sweep does not stop the jobs', async () => {
    const clock = new TestClock('2026-06-01T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    let sweeps = 0;
    let brokenSweeps = 0;
    let jobs = 0;
    runner.every('count.sweep', MINUTE, async () => {
      sweeps++;
    });
    runner.every('broken.sweep', SECOND, async () => {
      brokenSweeps++;
      throw new Error('sweep broke');
    });
    runner.define('after.sweeps', async () => {
      jobs++;
    });
    await runner.enqueue(db, 'after.sweeps', {});

    await runner.tick();
    expect([sweeps, brokenSweeps, jobs]).toEqual([1, 1, 1]);
    await runner.tick();
    expect([sweeps, brokenSweeps]).toEqual([1, 1]);
    clock.advance(MINUTE - 1);
    await runner.tick();
    expect([sweeps, brokenSweeps]).toEqual([1, 2]);
    clock.advance(1);
    await runner.tick();
    expect([sweeps, brokenSweeps]).toEqual([2, 2]);
  });

  it('runs a `beside` sweep beside the tick: the other sweeps and the jobs do not wait for it, and it never runs twice at once', async () => {
    const clock = new TestClock('2026-06-01T12:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    let proving = 0;
    let ended = 0;
    let finishProof: () => void = () => {};
    runner.every(
      'slow.sweep',
      SECOND,
      async () => {
        proving++;
        await new Promise<void>((resolve) => {
          finishProof = resolve;
        });
        ended++;
      },
      { beside: true },
    );
    let quick = 0;
    runner.every('quick.sweep', SECOND, async () => {
      quick++;
    });
    let jobs = 0;
    runner.define('beside.job', async () => {
      jobs++;
    });
    await runner.enqueue(db, 'beside.job', {});

    // The slow sweep has begun and not ended: the tick ran the quick sweep and the job all the same.
    await runner.tick();
    expect({ proving, ended, quick, jobs }).toEqual({ proving: 1, ended: 0, quick: 1, jobs: 1 });
    // Due again while it is still going: not started a second time.
    clock.advance(SECOND);
    await runner.tick();
    expect({ proving, ended, quick }).toEqual({ proving: 1, ended: 0, quick: 2 });

    // stop() waits for the run still going.
    let stopped = false;
    const stopping = runner.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    finishProof();
    await stopping;
    expect({ stopped, ended }).toEqual({ stopped: true, ended: 1 });

    // Once it has ended, it runs again when due.
    clock.advance(SECOND);
    await runner.tick();
    expect(proving).toBe(2);
    finishProof();
    await runner.stop();
    expect(ended).toBe(2);
  });

  it('start() polls in the background and stop() waits for the current pass', async () => {
    const clock = new TestClock('2026-06-02T00:00:00Z');
    const runner = new JobRunner(db, clock, silentLogger);
    const ran: string[] = [];
    runner.define('background.job', async ({ jobId }) => {
      ran.push(jobId);
    });
    const id = await runner.enqueue(db, 'background.job', {});
    runner.start(10);
    try {
      await vi.waitFor(() => expect(ran).toEqual([id]), { timeout: 20_000, interval: 10 });
    } finally {
      await runner.stop();
    }
    expect((await jobRow(id)).state).toBe('done');
  });
});

describe('two runners on two connection pools to one PostgreSQL', () => {
  it.runIf(testDatabaseUrl)(
    'run each scheduled occurrence exactly once while ticking concurrently',
    async () => {
      const shared = await openTwoPools();
      try {
        await shared.first.db.execute(sql`
        CREATE TABLE occurrence_runs (
          seq serial PRIMARY KEY, scheduled_for text NOT NULL, job_id uuid NOT NULL, runner text NOT NULL)`);
        const start = new Date('2026-07-01T00:00:00Z');
        const clock = new TestClock(start);
        const invocations = new Map<string, number>();
        const makeRunner = (database: Database, label: string) => {
          const runner = new JobRunner(database.db, clock, silentLogger);
          runner.define<{ scheduledFor: string }>('every.five', async ({ tx, payload, jobId }) => {
            invocations.set(payload.scheduledFor, (invocations.get(payload.scheduledFor) ?? 0) + 1);
            await tx.execute(sql`
            INSERT INTO occurrence_runs (scheduled_for, job_id, runner)
            VALUES (${payload.scheduledFor}, ${jobId}, ${label})`);
            // Hold the transaction open a moment so the two runners really overlap.
            await tx.execute(sql`SELECT pg_sleep(0.002)`);
          });
          runner.schedule('every.five', '*/5 * * * *');
          return runner;
        };
        const a = makeRunner(shared.first, 'a');
        const b = makeRunner(shared.second, 'b');

        // The first pass creates the schedule row from both sides at once.
        await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
        const occurrences = (fromMs: number, toMs: number) =>
          Math.floor(toMs / (5 * MINUTE)) - Math.floor(fromMs / (5 * MINUTE));
        for (const minutes of [7, 5, 60, 24 * 60, 3, 2, 30, 0]) {
          const before = clock.now().getTime();
          clock.advance(minutes * MINUTE);
          // Four materialisations at once enqueue each new occurrence once between them.
          const enqueued = await Promise.all([
            a.materializeSchedules(),
            b.materializeSchedules(),
            a.materializeSchedules(),
            b.materializeSchedules(),
          ]);
          expect(enqueued.reduce((x, y) => x + y, 0)).toBe(occurrences(before, clock.now().getTime()));
          await Promise.all([
            a.tick(),
            b.tick(),
            a.tick(),
            b.tick(),
            a.materializeSchedules(),
            b.materializeSchedules(),
            a.runDue(),
            b.runDue(),
          ]);
        }

        const expected: string[] = [];
        for (let at = start.getTime() + 5 * MINUTE; at <= clock.now().getTime(); at += 5 * MINUTE) {
          expected.push(new Date(at).toISOString());
        }
        expect(expected).toHaveLength(309);
        const runs = await queryRows<{ scheduled_for: string; runs: number }>(
          shared.first.db,
          sql`SELECT scheduled_for, count(*)::int AS runs FROM occurrence_runs GROUP BY scheduled_for
            ORDER BY scheduled_for`,
        );
        expect(runs.map((row) => row.scheduled_for)).toEqual(expected);
        expect(runs.filter((row) => row.runs !== 1)).toEqual([]);
        // No lease ran out (the clock stood still during each round), so no handler was even called twice.
        expect([...invocations.keys()].sort()).toEqual(expected);
        expect([...invocations.values()].filter((count) => count !== 1)).toEqual([]);
        const states = await queryRows<{ state: string; jobs: number }>(
          shared.second.db,
          sql`SELECT state, count(*)::int AS jobs FROM core_jobs GROUP BY state`,
        );
        expect(states).toEqual([{ state: 'done', jobs: expected.length }]);
      } finally {
        await shared.close();
      }
    },
  );

  it.runIf(testDatabaseUrl)('run each queued job exactly once while draining concurrently', async () => {
    const shared = await openTwoPools();
    try {
      await shared.first.db.execute(sql`
        CREATE TABLE queue_runs (seq serial PRIMARY KEY, job_id uuid NOT NULL, runner text NOT NULL)`);
      const clock = new TestClock('2026-07-02T00:00:00Z');
      const invocations: string[] = [];
      const makeRunner = (database: Database, label: string) => {
        const runner = new JobRunner(database.db, clock, silentLogger);
        runner.define('drain.me', async ({ tx, jobId }) => {
          invocations.push(jobId);
          await tx.execute(sql`INSERT INTO queue_runs (job_id, runner) VALUES (${jobId}, ${label})`);
          await tx.execute(sql`SELECT pg_sleep(0.001)`);
        });
        return runner;
      };
      const a = makeRunner(shared.first, 'a');
      const b = makeRunner(shared.second, 'b');
      const ids = new Set<string>();
      for (let i = 0; i < 200; i++) ids.add(await a.enqueue(shared.first.db, 'drain.me', { i }));

      const ran = await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()]);
      expect(ran.reduce((x, y) => x + y, 0)).toBe(200);
      expect(invocations).toHaveLength(200);
      expect(new Set(invocations)).toEqual(ids);

      const runs = await queryRows<{ job_id: string; runs: number }>(
        shared.first.db,
        sql`SELECT job_id, count(*)::int AS runs FROM queue_runs GROUP BY job_id`,
      );
      expect(new Set(runs.map((row) => row.job_id))).toEqual(ids);
      expect(runs.filter((row) => row.runs !== 1)).toEqual([]);
      const notDone = await queryRows<{ id: string }>(
        shared.second.db,
        sql`SELECT id FROM core_jobs WHERE state <> 'done'`,
      );
      expect(notDone).toEqual([]);
    } finally {
      await shared.close();
    }
  });
});
