import { and, eq, sql } from 'drizzle-orm';
import type { Clock } from './clock';
import { type Db, queryRows } from './database';
import { AppError } from './errors';
import { flows } from './flows.schema';
import { newId } from './ids';
import { canonicalJson } from './json';
import type { Logger } from './log';

/**
 * Flows: work that touches money and the outside world (a chain transaction, an MCP provider, a
 * mail server, another database), written as steps with compensation, as Medusa's workflows are.
 *
 * - A database step runs in its own transaction, and the flow's progress commits in that same
 *   transaction: after a crash it has happened exactly once, or not at all.
 * - An external step runs with no transaction open; its progress is recorded after it returns. A
 *   crash between the two runs it again when the flow resumes, so it passes `context.key` on as the
 *   idempotency key of what it does outside, and the outside does it once.
 * - A step that fails is retried with backoff; one that throws `FlowRefusal`, or fails its last
 *   attempt, starts the compensation: every finished step's `undo`, newest first, each recorded as
 *   it goes, so a crash mid-compensation resumes it too.
 * - Progress lives in `core_flows`; a process drives a flow under a lease, and another takes it
 *   over when the lease runs out. The job worker's sweep resumes whatever is due.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface StepContext<I> {
  flowId: string;
  input: I;
  /** What each finished step returned, by step name. */
  outputs: Readonly<Record<string, Json>>;
  /** Stable for this flow and step: the idempotency key of the step's effects outside. */
  key: string;
}

export type FlowStep<I> =
  | {
      kind: 'database';
      name: string;
      run(tx: Db, context: StepContext<I>): Promise<Json>;
      undo?(tx: Db, context: StepContext<I>): Promise<void>;
    }
  | {
      kind: 'external';
      name: string;
      run(context: StepContext<I>): Promise<Json>;
      undo?(context: StepContext<I>): Promise<void>;
    };

export const databaseStep = <I>(
  name: string,
  run: (tx: Db, context: StepContext<I>) => Promise<Json>,
  undo?: (tx: Db, context: StepContext<I>) => Promise<void>,
): FlowStep<I> => ({ kind: 'database', name, run, undo });

export const externalStep = <I>(
  name: string,
  run: (context: StepContext<I>) => Promise<Json>,
  undo?: (context: StepContext<I>) => Promise<void>,
): FlowStep<I> => ({ kind: 'external', name, run, undo });

export interface Flow<I = Json> {
  name: string;
  steps: readonly FlowStep<I>[];
  /** Tries of one step (or one undo) before giving up on it: 5 unless said. */
  maxAttempts?: number;
}

export const defineFlow = <I extends Json>(flow: Flow<I>): Flow<I> => {
  const names = flow.steps.map((step) => step.name);
  if (new Set(names).size !== names.length) throw new Error(`flow ${flow.name}: step names must differ`);
  return flow;
};

/** Thrown by a step that will not succeed by trying again: the flow compensates at once. */
export class FlowRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowRefusal';
  }
}

export type FlowState = (typeof flows.$inferSelect)['state'];

export interface FlowRun {
  id: string;
  name: string;
  key: string;
  state: FlowState;
  step: number;
  outputs: Record<string, Json>;
  attempts: number;
  lastError: string | null;
}

/**
 * Starts a flow in the caller's transaction, so it exists exactly when the change that needs it
 * commits. The same name and key start it once: a second start finds the first run, and a start
 * with other input is a conflict.
 */
export async function startFlow<I extends Json>(
  tx: Db,
  clock: Clock,
  flow: Flow<I>,
  input: I,
  key: string,
): Promise<{ id: string; created: boolean }> {
  const now = clock.now();
  const inserted = await tx
    .insert(flows)
    .values({
      id: newId(),
      name: flow.name,
      key,
      state: 'running',
      input,
      nextRunAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: flows.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [existing] = await tx
    .select({ id: flows.id, input: flows.input })
    .from(flows)
    .where(and(eq(flows.name, flow.name), eq(flows.key, key)));
  if (!existing) throw new AppError('internal', `flow ${flow.name} ${key} vanished while it was started`);
  if (canonicalJson(existing.input) !== canonicalJson(input)) {
    throw new AppError('idempotency_conflict', `flow ${flow.name} was started for ${key} with other input`);
  }
  return { id: existing.id, created: false };
}

export async function getFlowRun(db: Db, id: string): Promise<FlowRun | undefined> {
  const [row] = await db.select().from(flows).where(eq(flows.id, id));
  return row && toRun(row);
}

const toRun = (row: typeof flows.$inferSelect): FlowRun => ({
  id: row.id,
  name: row.name,
  key: row.key,
  state: row.state,
  step: row.step,
  outputs: row.outputs as Record<string, Json>,
  attempts: row.attempts,
  lastError: row.lastError,
});

export interface FlowRunnerOptions {
  leaseMs?: number;
  /** The first wait after a failed try; it doubles with each one, up to ten minutes. */
  retryMs?: number;
  batchSize?: number;
  /** Called after each recorded move; tests throw here to stand for a process that died. */
  afterProgress?: (run: FlowRun) => void;
}

type FlowRow = typeof flows.$inferSelect;

class LeaseLost extends Error {}

/** What a test's `afterProgress` throws to stand for the process dying: nothing more is recorded. */
export class ProcessDied extends Error {}

/** Drives the flows it knows, in any number of processes at once. */
export class FlowRunner {
  private readonly byName = new Map<string, Flow<Json>>();
  private readonly leaseMs: number;
  private readonly retryMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly deps: { db: Db; clock: Clock; log: Logger },
    known: readonly Flow<never>[],
    private readonly options: FlowRunnerOptions = {},
  ) {
    this.add(known);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retryMs = options.retryMs ?? 1000;
    this.batchSize = options.batchSize ?? 10;
  }

  /** Makes flows known to this runner: each product line's, as the app assembles them. */
  add(known: readonly Flow<never>[]): void {
    for (const flow of known) {
      if (this.byName.has(flow.name)) throw new Error(`flow ${flow.name} is declared twice`);
      this.byName.set(flow.name, flow as unknown as Flow<Json>);
    }
  }

  /** Resumes every due flow; returns how many it drove. */
  async runDue(): Promise<number> {
    let driven = 0;
    for (;;) {
      const claimed = await this.claim(sql`TRUE`);
      for (const { row, lease } of claimed) await this.drive(row, lease);
      driven += claimed.length;
      if (claimed.length < this.batchSize) return driven;
    }
  }

  /** Drives one flow now (a request that started it and waits for it); false if another process has it. */
  async run(id: string): Promise<FlowRun | undefined> {
    const [claimed] = await this.claim(sql`id = ${id}`);
    if (claimed) await this.drive(claimed.row, claimed.lease);
    return getFlowRun(this.deps.db, id);
  }

  private async claim(which: ReturnType<typeof sql>): Promise<{ row: FlowRow; lease: Date }[]> {
    if (this.byName.size === 0) return [];
    const now = this.deps.clock.now();
    const lease = new Date(now.getTime() + this.leaseMs);
    const ids = await queryRows<{ id: string }>(
      this.deps.db,
      sql`UPDATE core_flows SET locked_until = ${lease}
          WHERE id IN (
            SELECT id FROM core_flows
            WHERE ${which} AND state IN ('running', 'compensating') AND next_run_at <= ${now}
              AND (locked_until IS NULL OR locked_until <= ${now})
              AND name = ANY(${sql.param([...this.byName.keys()])}::text[])
            ORDER BY next_run_at LIMIT ${this.batchSize}
            FOR UPDATE SKIP LOCKED)
          RETURNING id`,
    );
    if (ids.length === 0) return [];
    const rows = await this.deps.db
      .select()
      .from(flows)
      .where(
        sql`${flows.id} IN (${sql.join(
          ids.map((r) => sql`${r.id}`),
          sql`, `,
        )})`,
      );
    return rows.map((row) => ({ row, lease }));
  }

  private async drive(start: FlowRow, lease: Date): Promise<void> {
    const flow = this.byName.get(start.name)!;
    const maxAttempts = flow.maxAttempts ?? 5;
    let row = start;
    for (;;) {
      if (row.state === 'running' && row.step >= flow.steps.length) {
        const ended = await this.record(row, lease, { state: 'done', lockedUntil: null });
        this.options.afterProgress?.(toRun(ended));
        return;
      }
      if (row.state === 'compensating' && row.step === 0) {
        const ended = await this.record(row, lease, { state: 'compensated', lockedUntil: null });
        this.options.afterProgress?.(toRun(ended));
        return;
      }
      const undoing = row.state === 'compensating';
      const step = flow.steps[undoing ? row.step - 1 : row.step]!;
      const context: StepContext<Json> = {
        flowId: row.id,
        input: row.input as Json,
        outputs: row.outputs as Record<string, Json>,
        key: `flow:${row.id}:${step.name}`,
      };
      try {
        row = undoing
          ? await this.undoStep(row, lease, step, context)
          : await this.runStep(row, lease, step, context);
        this.options.afterProgress?.(toRun(row));
      } catch (error) {
        if (error instanceof ProcessDied) throw error;
        if (error instanceof LeaseLost) return;
        const message = error instanceof Error ? error.message : String(error);
        const attempts = row.attempts + 1;
        this.deps.log.warn(
          { flow: row.name, flowId: row.id, step: step.name, undoing, err: error },
          'flow step failed',
        );
        if (undoing && attempts >= maxAttempts) {
          // An undo that keeps failing needs a person: the flow stops where it is, and says why.
          this.deps.log.error(
            { flow: row.name, flowId: row.id, step: step.name },
            'flow compensation failed',
          );
          await this.record(row, lease, { state: 'failed', attempts, lastError: message, lockedUntil: null });
          return;
        }
        if (!undoing && (error instanceof FlowRefusal || attempts >= maxAttempts)) {
          row = await this.record(row, lease, { state: 'compensating', attempts: 0, lastError: message });
          this.options.afterProgress?.(toRun(row));
          continue;
        }
        const wait = Math.min(10 * 60_000, this.retryMs * 2 ** (attempts - 1));
        await this.record(row, lease, {
          attempts,
          lastError: message,
          nextRunAt: new Date(this.deps.clock.now().getTime() + wait),
          lockedUntil: null,
        });
        return;
      }
    }
  }

  private async runStep(row: FlowRow, lease: Date, step: FlowStep<Json>, context: StepContext<Json>) {
    const advance = (tx: Db, output: Json) =>
      this.record(
        row,
        lease,
        {
          step: row.step + 1,
          outputs: { ...(row.outputs as Record<string, Json>), [step.name]: output },
          attempts: 0,
          lastError: null,
        },
        tx,
      );
    if (step.kind === 'database') {
      return this.deps.db.transaction(async (tx) => advance(tx, await step.run(tx, context)));
    }
    const output = await step.run(context);
    return this.deps.db.transaction((tx) => advance(tx, output));
  }

  private async undoStep(row: FlowRow, lease: Date, step: FlowStep<Json>, context: StepContext<Json>) {
    const retreat = (tx: Db) =>
      this.record(row, lease, { step: row.step - 1, attempts: 0, lastError: row.lastError }, tx);
    if (step.kind === 'database') {
      return this.deps.db.transaction(async (tx) => {
        await step.undo?.(tx, context);
        return retreat(tx);
      });
    }
    await step.undo?.(context);
    return this.deps.db.transaction((tx) => retreat(tx));
  }

  /** Writes a move of the flow while this process's lease on it holds; otherwise the move is undone. */
  private async record(
    row: FlowRow,
    lease: Date,
    changes: Partial<
      Pick<FlowRow, 'state' | 'step' | 'outputs' | 'attempts' | 'lastError' | 'nextRunAt' | 'lockedUntil'>
    >,
    executor: Db = this.deps.db,
  ): Promise<FlowRow> {
    const [updated] = await executor
      .update(flows)
      .set({ ...changes, updatedAt: this.deps.clock.now() })
      .where(
        and(
          eq(flows.id, row.id),
          eq(flows.step, row.step),
          eq(flows.state, row.state),
          eq(flows.lockedUntil, lease),
        ),
      )
      .returning();
    if (!updated) throw new LeaseLost();
    return updated;
  }
}
