ALTER TABLE "streams_subscriptions" ADD COLUMN "start_event_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD COLUMN "close_event_id" text;