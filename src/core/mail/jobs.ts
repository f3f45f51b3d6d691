import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '../clock';
import { type Db, queryRows } from '../database';
import { backoffMs, type JobRunner } from '../jobs';
import type { Logger } from '../log';
import { DELIVER_MAIL_JOB } from './outbox';
import type { StoredAttachment } from './schema';
import { isPermanentRefusal, type MailTransport, mailTransportFor } from './transport';

/** With the runner's backoff (1 s, doubling, at most an hour) the last attempt comes about eight hours after the first. */
export const MAIL_DELIVERY_ATTEMPTS = 20;

export interface MailJobDeps {
  clock: Clock;
  log: Logger;
  /** Unset: mail is delivered to the built-in Mailbox and nothing leaves the machine. */
  smtpUrl?: string;
  mailFrom: string;
  maxAttempts?: number;
}

const DeliverMailPayload = z.object({ messageId: z.uuid() });

interface QueuedMessageRow {
  id: string;
  to_address: string;
  from_address: string | null;
  subject: string;
  text: string;
  html: string | null;
  attachments: StoredAttachment[] | null;
  state: 'queued' | 'sent' | 'failed';
  attempts: number;
}

/**
 * Delivers the mail `queueMail` wrote to the outbox. The handler needs no connection of its own: it
 * works only in the job's transaction, since the message row it locks (and PGlite's one connection)
 * would make any other connection wait for that very transaction.
 */
export function registerMailJobs(jobs: JobRunner, deps: MailJobDeps): void {
  const transport = mailTransportFor(deps.smtpUrl);
  const maxAttempts = deps.maxAttempts ?? MAIL_DELIVERY_ATTEMPTS;
  // A tenant with a database of its own queues its people's mail there (its outbox is in its
  // transactions): that mail is delivered from there, like Tally's own.
  jobs.define(
    DELIVER_MAIL_JOB,
    async ({ tx, payload }) => {
      const { messageId } = DeliverMailPayload.parse(payload);
      const outcome = await deliverMessage(tx, { ...deps, transport, maxAttempts }, messageId);
      if (outcome.kind === 'retry') {
        await jobs.enqueue(
          tx,
          DELIVER_MAIL_JOB,
          { messageId },
          { runAt: outcome.at, uniqueKey: `${DELIVER_MAIL_JOB}:${messageId}:${outcome.attempt}` },
        );
      }
    },
    { tenants: true },
  );
  jobs.every('mail.requeue_stranded', STRANDED_SWEEP_MS, () => requeueStrandedMail(jobs, deps.clock), {
    tenants: true,
  });
}

const STRANDED_SWEEP_MS = 5 * 60 * 1000;
const STRANDED_AFTER_MS = 10 * 60 * 1000;

/**
 * A message whose delivery job ended without delivering it (the runner gave up on database errors,
 * say) is still `queued`: give it a new job, so no mail is lost. Returns how many were requeued.
 */
export async function requeueStrandedMail(jobs: JobRunner, clock: Clock): Promise<number> {
  const now = clock.now();
  return jobs.transaction(async (tx) => {
    const stranded = await queryRows<{ id: string; attempts: number }>(
      tx,
      sql`SELECT m.id, m.attempts FROM core_mail_messages m
          WHERE m.state = 'queued' AND m.created_at <= ${new Date(now.getTime() - STRANDED_AFTER_MS)}
            AND NOT EXISTS (
              SELECT 1 FROM core_jobs j WHERE j.name = ${DELIVER_MAIL_JOB} AND j.payload->>'messageId' = m.id::text
                AND j.state IN ('queued', 'running'))
          LIMIT 100`,
    );
    for (const message of stranded) {
      await jobs.enqueue(
        tx,
        DELIVER_MAIL_JOB,
        { messageId: message.id },
        { uniqueKey: `${DELIVER_MAIL_JOB}:${message.id}:rescue:${now.toISOString()}` },
      );
    }
    return stranded.length;
  });
}

type DeliveryOutcome = { kind: 'skipped' | 'sent' | 'failed' } | { kind: 'retry'; attempt: number; at: Date };

interface DeliveryDeps extends MailJobDeps {
  transport: MailTransport;
  maxAttempts: number;
}

/**
 * One delivery attempt, under a lock on the message row so two workers never send one message at once,
 * and skipped when the message is no longer queued (a duplicate job, a lease that ran out).
 *
 * A failed send is an outcome, not an exception: the attempt, its error and the next attempt (or the
 * message's failure) are committed together with the job's completion. Rethrowing would roll the
 * record of the failure back with everything else.
 */
async function deliverMessage(tx: Db, deps: DeliveryDeps, messageId: string): Promise<DeliveryOutcome> {
  const [message] = await queryRows<QueuedMessageRow>(
    tx,
    sql`SELECT id, to_address, from_address, subject, text, html, attachments, state, attempts
        FROM core_mail_messages WHERE id = ${messageId} FOR UPDATE`,
  );
  if (message?.state !== 'queued') return { kind: 'skipped' };
  const attempt = message.attempts + 1;
  try {
    await deps.transport.deliver({
      id: message.id,
      // A message queued in someone else's name carries its own From (a reseller's brand and domain).
      from: message.from_address ?? deps.mailFrom,
      to: message.to_address,
      subject: message.subject,
      text: message.text,
      html: message.html,
      attachments: (message.attachments ?? []).map((file) => ({
        filename: file.name,
        contentType: file.content_type,
        content: Buffer.from(file.base64, 'base64'),
      })),
    });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const final = attempt >= deps.maxAttempts || isPermanentRefusal(error);
    await tx.execute(sql`
      UPDATE core_mail_messages SET attempts = ${attempt}, last_error = ${reason},
        state = ${final ? 'failed' : 'queued'}
      WHERE id = ${messageId}`);
    deps.log.warn({ messageId, attempt, final, err: error }, 'mail delivery failed');
    if (final) return { kind: 'failed' };
    return {
      kind: 'retry',
      attempt: attempt + 1,
      at: new Date(deps.clock.now().getTime() + backoffMs(attempt)),
    };
  }
  await tx.execute(sql`
    UPDATE core_mail_messages SET state = 'sent', transport = ${deps.transport.name}, sent_at = ${deps.clock.now()},
      attempts = ${attempt}, last_error = NULL
    WHERE id = ${messageId}`);
  deps.log.info({ messageId, transport: deps.transport.name }, 'mail delivered');
  return { kind: 'sent' };
}
