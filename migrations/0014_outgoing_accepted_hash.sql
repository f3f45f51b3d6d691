ALTER TABLE "chain_outgoing_transactions" ADD COLUMN "accepted_hash" text;--> statement-breakpoint
-- Rows sent before this column: their newest version is the one a node last took.
UPDATE "chain_outgoing_transactions" SET "accepted_hash" = "hashes" ->> (jsonb_array_length("hashes") - 1)
WHERE "sent_at" IS NOT NULL AND jsonb_array_length("hashes") > 0;
