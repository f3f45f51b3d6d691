CREATE TABLE "chain_cursors" (
	"follower" text NOT NULL,
	"chain_id" integer NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "chain_cursors_follower_chain_id_pk" PRIMARY KEY("follower","chain_id")
);
--> statement-breakpoint
CREATE TABLE "chain_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"follower" text NOT NULL,
	"chain_id" integer NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"transaction_hash" text NOT NULL,
	"log_index" integer NOT NULL,
	"address" text NOT NULL,
	"event_name" text NOT NULL,
	"args" jsonb NOT NULL,
	"state" text DEFAULT 'seen' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"orphaned_at" timestamp with time zone,
	CONSTRAINT "chain_events_log_unique" UNIQUE("follower","chain_id","block_hash","log_index")
);
--> statement-breakpoint
CREATE TABLE "chain_outgoing_transactions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"chain_id" integer NOT NULL,
	"from_address" text NOT NULL,
	"nonce" bigint NOT NULL,
	"to_address" text NOT NULL,
	"data" text DEFAULT '0x' NOT NULL,
	"value" numeric(78, 0) DEFAULT '0' NOT NULL,
	"gas_limit" numeric(78, 0) NOT NULL,
	"max_fee_per_gas" numeric(78, 0),
	"max_priority_fee_per_gas" numeric(78, 0),
	"purpose" text NOT NULL,
	"idempotency_key" text,
	"state" text DEFAULT 'queued' NOT NULL,
	"hashes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mined_hash" text,
	"block_number" bigint,
	"gas_used" numeric(78, 0),
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_check_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "chain_outgoing_nonce_unique" UNIQUE("chain_id","from_address","nonce"),
	CONSTRAINT "chain_outgoing_idempotency_unique" UNIQUE("chain_id","idempotency_key"),
	CONSTRAINT "chain_outgoing_nonce_not_negative" CHECK ("chain_outgoing_transactions"."nonce" >= 0)
);
--> statement-breakpoint
CREATE TABLE "chain_seen_blocks" (
	"follower" text NOT NULL,
	"chain_id" integer NOT NULL,
	"number" bigint NOT NULL,
	"hash" text NOT NULL,
	"parent_hash" text NOT NULL,
	CONSTRAINT "chain_seen_blocks_follower_chain_id_number_pk" PRIMARY KEY("follower","chain_id","number")
);
--> statement-breakpoint
CREATE TABLE "chain_signers" (
	"chain_id" integer NOT NULL,
	"address" text NOT NULL,
	"next_nonce" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "chain_signers_chain_id_address_pk" PRIMARY KEY("chain_id","address")
);
--> statement-breakpoint
CREATE INDEX "chain_events_open_idx" ON "chain_events" USING btree ("follower","chain_id","block_number") WHERE "chain_events"."state" = 'seen';--> statement-breakpoint
CREATE INDEX "chain_events_tx_idx" ON "chain_events" USING btree ("transaction_hash");--> statement-breakpoint
CREATE INDEX "chain_outgoing_open_idx" ON "chain_outgoing_transactions" USING btree ("next_check_at") WHERE "chain_outgoing_transactions"."state" IN ('queued', 'pending');--> statement-breakpoint
CREATE INDEX "chain_outgoing_created_idx" ON "chain_outgoing_transactions" USING btree ("created_at");