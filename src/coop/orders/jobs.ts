import { z } from 'zod';
import type { CoopDeps } from '../deps';
import { closeAtDeadline, ORDER_SHEETS_JOB } from './close';
import { CLOSE_ORDER_JOB } from './service';
import { mailOrderSheets } from './sheets';

const OrderPayload = z.object({ orderId: z.uuid() });

/**
 * The order's jobs: closing at the deadline (queued when the order opens, again when the deadline
 * moves; a job for a deadline that moved or an order closed by hand does nothing), and mailing the
 * order sheets once it closed.
 */
export function registerOrderJobs(deps: CoopDeps): void {
  deps.jobs.define(CLOSE_ORDER_JOB, async ({ tx, payload }) => {
    await closeAtDeadline(deps, tx, OrderPayload.parse(payload).orderId);
  });
  deps.jobs.define(ORDER_SHEETS_JOB, async ({ tx, payload }) => {
    await mailOrderSheets(deps, tx, OrderPayload.parse(payload).orderId);
  });
}
