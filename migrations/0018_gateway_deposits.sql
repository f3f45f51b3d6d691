CREATE TABLE "gateway_deposits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"from_address" text NOT NULL,
	"value" numeric(78, 0) NOT NULL,
	"valid_after" numeric(78, 0) NOT NULL,
	"valid_before" numeric(78, 0) NOT NULL,
	"nonce" text NOT NULL,
	"signature" text NOT NULL,
	"state" text NOT NULL,
	"transaction_id" uuid,
	"credit_event_id" uuid,
	"credited_at" timestamp with time zone,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_deposits_value_positive" CHECK ("gateway_deposits"."value" > 0)
);
--> statement-breakpoint
ALTER TABLE "gateway_deposits" ADD CONSTRAINT "gateway_deposits_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_deposits_authorization_idx" ON "gateway_deposits" USING btree ("from_address","nonce");--> statement-breakpoint
CREATE INDEX "gateway_deposits_user_idx" ON "gateway_deposits" USING btree ("user_id","created_at","id");