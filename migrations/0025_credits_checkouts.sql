CREATE TABLE "credits_checkouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"product_id" uuid NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"price_minor" numeric(78, 0) NOT NULL,
	"price_currency" text NOT NULL,
	"value" numeric(78, 0) NOT NULL,
	"kind" text NOT NULL,
	"from_address" text NOT NULL,
	"nonce" text NOT NULL,
	"valid_after" numeric(78, 0) NOT NULL,
	"valid_before" numeric(78, 0) NOT NULL,
	"signature" text NOT NULL,
	"state" text NOT NULL,
	"transaction_id" uuid,
	"paid_event_id" text,
	"purchase_id" uuid,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credits_checkouts" ADD CONSTRAINT "credits_checkouts_product_id_credits_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."credits_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credits_checkouts_authorization_idx" ON "credits_checkouts" USING btree ("from_address","nonce");--> statement-breakpoint
CREATE INDEX "credits_checkouts_transaction_idx" ON "credits_checkouts" USING btree ("transaction_id");