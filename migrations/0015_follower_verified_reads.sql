-- Cursors read before verified reads existed count as verified where they stand.
ALTER TABLE "chain_cursors" ADD COLUMN "verified_number" bigint;--> statement-breakpoint
ALTER TABLE "chain_cursors" ADD COLUMN "verified_hash" text;--> statement-breakpoint
UPDATE "chain_cursors" SET "verified_number" = "block_number", "verified_hash" = "block_hash";--> statement-breakpoint
ALTER TABLE "chain_cursors" ALTER COLUMN "verified_number" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "chain_cursors" ALTER COLUMN "verified_hash" SET NOT NULL;--> statement-breakpoint
-- Events read before block times were kept: the time they were read is the nearest known.
ALTER TABLE "chain_events" ADD COLUMN "block_timestamp" timestamp with time zone;--> statement-breakpoint
UPDATE "chain_events" SET "block_timestamp" = "created_at";--> statement-breakpoint
ALTER TABLE "chain_events" ALTER COLUMN "block_timestamp" SET NOT NULL;
