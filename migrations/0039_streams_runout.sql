ALTER TABLE "streams_subscriptions" ADD COLUMN "close_reason" text;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "closed_by" text;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "runs_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "scanned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "warned_7d_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "warned_24h_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "closing_transaction_id" uuid;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "close_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "streams_subscriptions_live_idx" ON "streams_subscriptions" USING btree ("token","subscriber_address") WHERE "streams_subscriptions"."state" IN ('active', 'at_risk');--> statement-breakpoint
CREATE INDEX "streams_subscriptions_close_event_idx" ON "streams_subscriptions" USING btree ("close_event_id");--> statement-breakpoint
CREATE INDEX "streams_subscriptions_closing_idx" ON "streams_subscriptions" USING btree ("closing_transaction_id");