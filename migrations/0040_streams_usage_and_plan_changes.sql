CREATE TABLE "streams_usage_purchases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subscription_id" uuid NOT NULL,
	"checkout_id" uuid NOT NULL,
	"uses" integer NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"event_id" text NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	CONSTRAINT "streams_usage_purchases_positive" CHECK ("streams_usage_purchases"."uses" > 0)
);
--> statement-breakpoint
ALTER TABLE "streams_checkouts" ADD COLUMN "purpose" text DEFAULT 'subscribe' NOT NULL;--> statement-breakpoint
ALTER TABLE "streams_checkouts" ADD COLUMN "replaces_subscription_id" uuid;--> statement-breakpoint
ALTER TABLE "streams_usage_purchases" ADD CONSTRAINT "streams_usage_purchases_subscription_id_streams_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."streams_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_usage_purchases" ADD CONSTRAINT "streams_usage_purchases_checkout_id_streams_checkouts_id_fk" FOREIGN KEY ("checkout_id") REFERENCES "public"."streams_checkouts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "streams_usage_purchases_checkout_idx" ON "streams_usage_purchases" USING btree ("checkout_id");--> statement-breakpoint
CREATE UNIQUE INDEX "streams_usage_purchases_event_idx" ON "streams_usage_purchases" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "streams_usage_purchases_subscription_idx" ON "streams_usage_purchases" USING btree ("subscription_id");--> statement-breakpoint
ALTER TABLE "streams_checkouts" ADD CONSTRAINT "streams_checkouts_replaces_subscription_id_streams_subscriptions_id_fk" FOREIGN KEY ("replaces_subscription_id") REFERENCES "public"."streams_subscriptions"("id") ON DELETE no action ON UPDATE no action;