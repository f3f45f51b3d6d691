CREATE TABLE "gateway_encrypted_sweeps" (
	"id" uuid PRIMARY KEY NOT NULL,
	"batch_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"address" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "gateway_encrypted_sweeps_amount_positive" CHECK ("gateway_encrypted_sweeps"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "gateway_encrypted_batches" DROP CONSTRAINT "gateway_encrypted_batches_total_positive";--> statement-breakpoint
ALTER TABLE "gateway_deposits" ADD COLUMN "encrypted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_accounts" ADD COLUMN "spending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_batches" ADD COLUMN "swept" numeric(78, 0) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "gateway_withdrawals" ADD COLUMN "encrypted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_sweeps" ADD CONSTRAINT "gateway_encrypted_sweeps_batch_id_gateway_encrypted_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."gateway_encrypted_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_sweeps" ADD CONSTRAINT "gateway_encrypted_sweeps_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_encrypted_sweeps" ADD CONSTRAINT "gateway_encrypted_sweeps_address_gateway_encrypted_accounts_address_fk" FOREIGN KEY ("address") REFERENCES "public"."gateway_encrypted_accounts"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gateway_encrypted_sweeps_batch_idx" ON "gateway_encrypted_sweeps" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "gateway_encrypted_sweeps_address_idx" ON "gateway_encrypted_sweeps" USING btree ("address","state");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_encrypted_accounts_spending_idx" ON "gateway_encrypted_accounts" USING btree ("user_id") WHERE "gateway_encrypted_accounts"."spending";--> statement-breakpoint
ALTER TABLE "gateway_encrypted_accounts" ADD CONSTRAINT "gateway_encrypted_accounts_one_role" CHECK (NOT ("gateway_encrypted_accounts"."spending" AND "gateway_encrypted_accounts"."provider_id" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "gateway_encrypted_batches" ADD CONSTRAINT "gateway_encrypted_batches_moves_something" CHECK ("gateway_encrypted_batches"."total" >= 0 AND "gateway_encrypted_batches"."swept" >= 0 AND "gateway_encrypted_batches"."total" + "gateway_encrypted_batches"."swept" > 0);