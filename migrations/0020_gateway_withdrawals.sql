CREATE TABLE "gateway_withdrawals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"to_address" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"state" text NOT NULL,
	"hold_id" uuid NOT NULL,
	"transaction_id" uuid,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "gateway_withdrawals_amount_positive" CHECK ("gateway_withdrawals"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "gateway_withdrawals" ADD CONSTRAINT "gateway_withdrawals_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gateway_withdrawals_user_idx" ON "gateway_withdrawals" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_withdrawals_transaction_idx" ON "gateway_withdrawals" USING btree ("transaction_id");