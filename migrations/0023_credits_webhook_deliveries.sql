CREATE TABLE "credits_webhook_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"status" integer NOT NULL,
	"error_code" text,
	"reason" text,
	"message" text,
	"order_id" text,
	"purchase_id" uuid,
	"body_bytes" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credits_webhook_deliveries" ADD CONSTRAINT "credits_webhook_deliveries_integration_id_credits_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."credits_integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credits_webhook_deliveries_integration_idx" ON "credits_webhook_deliveries" USING btree ("integration_id","received_at","id");