ALTER TABLE "coop_orders" ADD COLUMN "corrections" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "coop_orders" ADD COLUMN "reopened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "coop_orders" ADD COLUMN "reopened_by" uuid;--> statement-breakpoint
ALTER TABLE "coop_orders" ADD COLUMN "reopen_reason" text;