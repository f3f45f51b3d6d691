CREATE TABLE "core_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"run_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 10 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"unique_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "core_jobs_unique_key_unique" UNIQUE("unique_key")
);
--> statement-breakpoint
CREATE TABLE "core_schedules" (
	"name" text PRIMARY KEY NOT NULL,
	"cron" text NOT NULL,
	"next_run_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ledger" text NOT NULL,
	"owner" text,
	"code" text NOT NULL,
	"debits_must_not_exceed_credits" boolean DEFAULT false NOT NULL,
	"credits_must_not_exceed_debits" boolean DEFAULT false NOT NULL,
	"closed" boolean DEFAULT false NOT NULL,
	"debits_pending" numeric(78, 0) DEFAULT '0' NOT NULL,
	"debits_posted" numeric(78, 0) DEFAULT '0' NOT NULL,
	"credits_pending" numeric(78, 0) DEFAULT '0' NOT NULL,
	"credits_posted" numeric(78, 0) DEFAULT '0' NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_accounts_balances_not_negative" CHECK ("ledger_accounts"."debits_pending" >= 0 AND "ledger_accounts"."debits_posted" >= 0 AND "ledger_accounts"."credits_pending" >= 0 AND "ledger_accounts"."credits_posted" >= 0),
	CONSTRAINT "ledger_accounts_flags_exclusive" CHECK (NOT ("ledger_accounts"."debits_must_not_exceed_credits" AND "ledger_accounts"."credits_must_not_exceed_debits")),
	CONSTRAINT "ledger_accounts_debits_limit" CHECK (NOT "ledger_accounts"."debits_must_not_exceed_credits" OR "ledger_accounts"."debits_pending" + "ledger_accounts"."debits_posted" <= "ledger_accounts"."credits_posted"),
	CONSTRAINT "ledger_accounts_credits_limit" CHECK (NOT "ledger_accounts"."credits_must_not_exceed_debits" OR "ledger_accounts"."credits_pending" + "ledger_accounts"."credits_posted" <= "ledger_accounts"."debits_posted")
);
--> statement-breakpoint
CREATE TABLE "ledger_ledgers" (
	"code" text PRIMARY KEY NOT NULL,
	"scale" integer NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_scale_range" CHECK ("ledger_ledgers"."scale" BETWEEN 0 AND 36)
);
--> statement-breakpoint
CREATE TABLE "ledger_transfers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "ledger_transfers_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"debit_account_id" uuid NOT NULL,
	"credit_account_id" uuid NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"pending_id" uuid,
	"ledger" text NOT NULL,
	"code" text NOT NULL,
	"linked" boolean DEFAULT false NOT NULL,
	"timeout_seconds" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"pending_state" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"debit_account_debits_pending" numeric(78, 0) NOT NULL,
	"debit_account_debits_posted" numeric(78, 0) NOT NULL,
	"debit_account_credits_pending" numeric(78, 0) NOT NULL,
	"debit_account_credits_posted" numeric(78, 0) NOT NULL,
	"credit_account_debits_pending" numeric(78, 0) NOT NULL,
	"credit_account_debits_posted" numeric(78, 0) NOT NULL,
	"credit_account_credits_pending" numeric(78, 0) NOT NULL,
	"credit_account_credits_posted" numeric(78, 0) NOT NULL,
	CONSTRAINT "ledger_transfers_seq_unique" UNIQUE("seq"),
	CONSTRAINT "ledger_transfers_amount_positive" CHECK ("ledger_transfers"."amount" > 0),
	CONSTRAINT "ledger_transfers_accounts_differ" CHECK ("ledger_transfers"."debit_account_id" <> "ledger_transfers"."credit_account_id")
);
--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_ledger_ledger_ledgers_code_fk" FOREIGN KEY ("ledger") REFERENCES "public"."ledger_ledgers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_debit_account_id_ledger_accounts_id_fk" FOREIGN KEY ("debit_account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_credit_account_id_ledger_accounts_id_fk" FOREIGN KEY ("credit_account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "core_jobs_due_idx" ON "core_jobs" USING btree ("run_at") WHERE "core_jobs"."state" = 'queued';--> statement-breakpoint
CREATE INDEX "core_jobs_lease_idx" ON "core_jobs" USING btree ("locked_until") WHERE "core_jobs"."state" = 'running';--> statement-breakpoint
CREATE INDEX "ledger_accounts_owner_idx" ON "ledger_accounts" USING btree ("owner");--> statement-breakpoint
CREATE INDEX "ledger_accounts_ledger_idx" ON "ledger_accounts" USING btree ("ledger");--> statement-breakpoint
CREATE INDEX "ledger_transfers_debit_idx" ON "ledger_transfers" USING btree ("debit_account_id","seq");--> statement-breakpoint
CREATE INDEX "ledger_transfers_credit_idx" ON "ledger_transfers" USING btree ("credit_account_id","seq");--> statement-breakpoint
CREATE INDEX "ledger_transfers_pending_id_idx" ON "ledger_transfers" USING btree ("pending_id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_expiry_idx" ON "ledger_transfers" USING btree ("expires_at") WHERE "ledger_transfers"."pending_state" = 'pending';