CREATE TABLE "streams_usages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subscription_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"key" text NOT NULL,
	"uses" integer NOT NULL,
	"month" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "streams_usages_positive" CHECK ("streams_usages"."uses" > 0)
);
--> statement-breakpoint
ALTER TABLE "streams_usages" ADD CONSTRAINT "streams_usages_subscription_id_streams_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."streams_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_usages" ADD CONSTRAINT "streams_usages_plan_id_streams_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."streams_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "streams_usages_key_idx" ON "streams_usages" USING btree ("plan_id","key");--> statement-breakpoint
CREATE INDEX "streams_usages_month_idx" ON "streams_usages" USING btree ("subscription_id","month");