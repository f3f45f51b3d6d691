-- Every active reservation becomes a hold of the ledger with the same id; finished ones keep their own
-- row (nothing will capture or release them again).
INSERT INTO "ledger_holds" ("id", "ledger", "code", "sink_account_id", "amount", "captured", "state", "parts",
  "timeout_seconds", "expires_at", "metadata", "created_at", "finished_at")
SELECT r."id", t."ledger", t."code", t."credit_account_id", r."amount", 0, 'held',
  (SELECT jsonb_agg(jsonb_build_object('accountId', h->>'grantId', 'transferId', h->>'transferId',
     'amount', h->>'amount') ORDER BY n)
   FROM jsonb_array_elements(r."holds") WITH ORDINALITY AS x(h, n)),
  t."timeout_seconds", r."expires_at", jsonb_build_object('reservationId', r."id"), r."created_at", NULL
FROM "credits_reservations" r
JOIN "ledger_transfers" t ON t."id" = (r."holds"->0->>'transferId')::uuid
WHERE r."state" = 'active' AND jsonb_array_length(r."holds") > 0;--> statement-breakpoint
ALTER TABLE "credits_reservations" DROP COLUMN "holds";
