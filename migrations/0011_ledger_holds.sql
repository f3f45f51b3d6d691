CREATE TABLE "ledger_failed_transfers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"result" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_holds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ledger" text NOT NULL,
	"code" text NOT NULL,
	"sink_account_id" uuid NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"captured" numeric(78, 0) DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"parts" jsonb NOT NULL,
	"timeout_seconds" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "ledger_holds_amount_positive" CHECK ("ledger_holds"."amount" > 0),
	CONSTRAINT "ledger_holds_captured_range" CHECK ("ledger_holds"."captured" >= 0 AND "ledger_holds"."captured" <= "ledger_holds"."amount")
);
--> statement-breakpoint
ALTER TABLE "ledger_holds" ADD CONSTRAINT "ledger_holds_sink_account_id_ledger_accounts_id_fk" FOREIGN KEY ("sink_account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_holds_expiry_idx" ON "ledger_holds" USING btree ("expires_at") WHERE "ledger_holds"."state" = 'held';