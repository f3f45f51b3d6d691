CREATE TABLE "gateway_encrypted_accounts" (
	"address" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"provider_id" uuid,
	"key_x" text NOT NULL,
	"key_y" text NOT NULL,
	"state" text NOT NULL,
	"transaction_id" uuid,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"registered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "gateway_encrypted_audits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ran_at" timestamp with time zone NOT NULL,
	"checked" integer NOT NULL,
	"skipped" integer NOT NULL,
	"mismatches" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway_encrypted_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"settlement_id" uuid,
	"total" numeric(78, 0) NOT NULL,
	"state" text NOT NULL,
	"funding_transaction_id" uuid,
	"paying_transaction_id" uuid,
	"attempts" integer DEFAULT 0 NOT NULL,
	"funded_at" timestamp with time zone,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "gateway_encrypted_batches_total_positive" CHECK ("gateway_encrypted_batches"."total" > 0)
);
--> statement-breakpoint
CREATE TABLE "gateway_encrypted_claims" (
	"id" uuid PRIMARY KEY NOT NULL,
	"provider_id" uuid NOT NULL,
	"address" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"state" text NOT NULL,
	"hold_id" uuid NOT NULL,
	"transaction_id" uuid,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "gateway_encrypted_claims_amount_positive" CHECK ("gateway_encrypted_claims"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "gateway_payouts" ADD COLUMN "batch_id" uuid;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_accounts" ADD CONSTRAINT "gateway_encrypted_accounts_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_accounts" ADD CONSTRAINT "gateway_encrypted_accounts_provider_id_gateway_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."gateway_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_batches" ADD CONSTRAINT "gateway_encrypted_batches_settlement_id_gateway_settlements_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."gateway_settlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_claims" ADD CONSTRAINT "gateway_encrypted_claims_provider_id_gateway_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."gateway_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_encrypted_accounts_provider_idx" ON "gateway_encrypted_accounts" USING btree ("provider_id");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_encrypted_accounts_transaction_idx" ON "gateway_encrypted_accounts" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "gateway_encrypted_accounts_user_idx" ON "gateway_encrypted_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "gateway_encrypted_audits_ran_idx" ON "gateway_encrypted_audits" USING btree ("ran_at");--> statement-breakpoint
CREATE INDEX "gateway_encrypted_batches_state_idx" ON "gateway_encrypted_batches" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX "gateway_encrypted_batches_funding_idx" ON "gateway_encrypted_batches" USING btree ("funding_transaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_encrypted_batches_paying_idx" ON "gateway_encrypted_batches" USING btree ("paying_transaction_id");--> statement-breakpoint
CREATE INDEX "gateway_encrypted_claims_provider_idx" ON "gateway_encrypted_claims" USING btree ("provider_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_encrypted_claims_transaction_idx" ON "gateway_encrypted_claims" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "gateway_payouts_batch_idx" ON "gateway_payouts" USING btree ("batch_id");