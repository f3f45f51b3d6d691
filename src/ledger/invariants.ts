import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../core/database';

/**
 * Checks the ledger's invariants against what is stored. An empty list means all hold:
 * - per ledger, total debits equal total credits, posted and pending;
 * - no account with a limit flag is past its limit;
 * - every account's balances equal a replay of its transfers;
 * - every account's latest history entry shows its current balances;
 * - a pending transfer is resolved (posted, voided or expired) at most once, as its state says,
 *   and never posted for more than it held;
 * - no id remembered as failed names a stored transfer;
 * - every hold's parts add up to it and stand as its state says: all pending while held (or expired,
 *   once past its expiry), posted or voided with the posts adding up to what was captured, all voided
 *   when released, all expired when expired.
 */
export async function findLedgerViolations(db: Db): Promise<string[]> {
  const violations: string[] = [];

  const totals = await queryRows<{ ledger: string; dp: string; cp: string; dpo: string; cpo: string }>(
    db,
    sql`SELECT ledger, sum(debits_pending)::text AS dp, sum(credits_pending)::text AS cp,
          sum(debits_posted)::text AS dpo, sum(credits_posted)::text AS cpo
        FROM ledger_accounts GROUP BY ledger`,
  );
  for (const t of totals) {
    if (t.dp !== t.cp)
      violations.push(`ledger ${t.ledger}: debits pending ${t.dp} != credits pending ${t.cp}`);
    if (t.dpo !== t.cpo)
      violations.push(`ledger ${t.ledger}: debits posted ${t.dpo} != credits posted ${t.cpo}`);
  }

  const overLimit = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM ledger_accounts
        WHERE (debits_must_not_exceed_credits AND debits_pending + debits_posted > credits_posted)
           OR (credits_must_not_exceed_debits AND credits_pending + credits_posted > debits_posted)`,
  );
  for (const a of overLimit) violations.push(`account ${a.id} is past its limit`);

  const replayMismatches = await queryRows<{ id: string }>(
    db,
    sql`WITH moves AS (
          SELECT debit_account_id AS account_id,
            CASE WHEN kind = 'pending' AND pending_state = 'pending' THEN amount ELSE 0 END AS dp,
            CASE WHEN kind IN ('posted', 'post_pending') THEN amount ELSE 0 END AS dpo, 0 AS cp, 0 AS cpo
          FROM ledger_transfers
          UNION ALL
          SELECT credit_account_id, 0, 0,
            CASE WHEN kind = 'pending' AND pending_state = 'pending' THEN amount ELSE 0 END,
            CASE WHEN kind IN ('posted', 'post_pending') THEN amount ELSE 0 END
          FROM ledger_transfers),
        replay AS (
          SELECT account_id, sum(dp) AS dp, sum(dpo) AS dpo, sum(cp) AS cp, sum(cpo) AS cpo FROM moves GROUP BY account_id)
        SELECT a.id FROM ledger_accounts a LEFT JOIN replay r ON r.account_id = a.id
        WHERE a.debits_pending <> coalesce(r.dp, 0) OR a.debits_posted <> coalesce(r.dpo, 0)
           OR a.credits_pending <> coalesce(r.cp, 0) OR a.credits_posted <> coalesce(r.cpo, 0)`,
  );
  for (const a of replayMismatches)
    violations.push(`account ${a.id}: balances differ from a replay of its transfers`);

  const staleHistory = await queryRows<{ id: string }>(
    db,
    sql`WITH latest AS (
          SELECT DISTINCT ON (account_id) account_id, dp, dpo, cp, cpo FROM (
            SELECT debit_account_id AS account_id, seq, debit_account_debits_pending AS dp,
              debit_account_debits_posted AS dpo, debit_account_credits_pending AS cp, debit_account_credits_posted AS cpo
            FROM ledger_transfers
            UNION ALL
            SELECT credit_account_id, seq, credit_account_debits_pending, credit_account_debits_posted,
              credit_account_credits_pending, credit_account_credits_posted
            FROM ledger_transfers) AS entries
          ORDER BY account_id, seq DESC)
        SELECT a.id FROM ledger_accounts a JOIN latest l ON l.account_id = a.id
        WHERE a.debits_pending <> l.dp OR a.debits_posted <> l.dpo OR a.credits_pending <> l.cp OR a.credits_posted <> l.cpo`,
  );
  for (const a of staleHistory)
    violations.push(`account ${a.id}: latest history entry differs from its balances`);

  const badResolutions = await queryRows<{ id: string; problem: string }>(
    db,
    sql`WITH resolutions AS (
          SELECT pending_id, count(*) AS n, max(kind) AS kind, max(amount) AS amount
          FROM ledger_transfers WHERE pending_id IS NOT NULL GROUP BY pending_id)
        SELECT p.id, CASE
            WHEN r.n > 1 THEN 'resolved more than once'
            WHEN p.pending_state = 'pending' AND r.n IS NOT NULL THEN 'still pending but resolved'
            WHEN p.pending_state <> 'pending' AND r.n IS NULL THEN 'resolved without a resolving transfer'
            WHEN p.pending_state = 'posted' AND r.kind <> 'post_pending' THEN 'state posted without a post'
            WHEN p.pending_state = 'voided' AND r.kind <> 'void_pending' THEN 'state voided without a void'
            WHEN p.pending_state = 'expired' AND r.kind <> 'expire_pending' THEN 'state expired without an expiry'
            WHEN r.amount > p.amount THEN 'posted for more than it held'
          END AS problem
        FROM ledger_transfers p LEFT JOIN resolutions r ON r.pending_id = p.id
        WHERE p.kind = 'pending'`,
  );
  for (const r of badResolutions) if (r.problem) violations.push(`pending ${r.id}: ${r.problem}`);

  const failedButStored = await queryRows<{ id: string }>(
    db,
    sql`SELECT f.id FROM ledger_failed_transfers f JOIN ledger_transfers t ON t.id = f.id`,
  );
  for (const f of failedButStored) violations.push(`transfer ${f.id}: stored, yet remembered as failed`);

  const badHolds = await queryRows<{ id: string; problem: string | null }>(
    db,
    sql`WITH parts AS (
          SELECT h.id AS hold_id, (p->>'amount')::numeric AS amount, t.kind, t.pending_state, t.amount AS held,
            t.credit_account_id = h.sink_account_id AS to_sink,
            (SELECT r.amount FROM ledger_transfers r WHERE r.pending_id = t.id AND r.kind = 'post_pending') AS posted
          FROM ledger_holds h CROSS JOIN LATERAL jsonb_array_elements(h.parts) AS p
          LEFT JOIN ledger_transfers t ON t.id = (p->>'transferId')::uuid),
        summary AS (
          SELECT hold_id, sum(amount) AS total, count(*) AS n,
            count(*) FILTER (WHERE kind IS DISTINCT FROM 'pending' OR held <> amount OR NOT to_sink) AS malformed,
            count(*) FILTER (WHERE pending_state = 'pending') AS pending,
            count(*) FILTER (WHERE pending_state = 'posted') AS posted,
            count(*) FILTER (WHERE pending_state = 'voided') AS voided,
            count(*) FILTER (WHERE pending_state = 'expired') AS expired,
            coalesce(sum(posted), 0) AS captured
          FROM parts GROUP BY hold_id)
        SELECT h.id, CASE
            WHEN s.malformed > 0 THEN 'a part is not a pending transfer of its amount to the sink'
            WHEN s.total <> h.amount THEN 'parts do not add up to the hold'
            WHEN h.state = 'held' AND s.pending + s.expired <> s.n THEN 'held, yet a part was posted or voided'
            WHEN h.state = 'held' AND s.expired > 0 AND h.expires_at IS NULL THEN 'held forever, yet a part expired'
            WHEN h.state = 'captured' AND (s.posted = 0 OR s.posted + s.voided <> s.n) THEN 'captured, yet not every part was posted or voided'
            WHEN h.state = 'captured' AND s.captured <> h.captured THEN 'captured, yet the posts do not add up to it'
            WHEN h.state = 'released' AND s.voided <> s.n THEN 'released, yet not every part was voided'
            WHEN h.state = 'expired' AND s.expired <> s.n THEN 'expired, yet not every part expired'
          END AS problem
        FROM ledger_holds h JOIN summary s ON s.hold_id = h.id`,
  );
  for (const h of badHolds) if (h.problem) violations.push(`hold ${h.id}: ${h.problem}`);

  return violations;
}
