CREATE TABLE "credits_float_reconciliations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"reseller_user_id" uuid NOT NULL,
	"main_total" numeric(78, 0) NOT NULL,
	"tenant_total" numeric(78, 0) NOT NULL,
	"pending_total" numeric(78, 0) NOT NULL,
	"pending_count" integer NOT NULL,
	"difference" numeric(78, 0) NOT NULL,
	"checked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credits_float_settings" (
	"reseller_user_id" uuid PRIMARY KEY NOT NULL,
	"auto_top_up" boolean DEFAULT false NOT NULL,
	"threshold" numeric(78, 0) NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"short_notified_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credits_float_settings_amount_positive" CHECK ("credits_float_settings"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "credits_float_top_ups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"reseller_user_id" uuid NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"trigger" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"applied_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"locked_until" timestamp with time zone,
	CONSTRAINT "credits_float_top_ups_amount_positive" CHECK ("credits_float_top_ups"."amount" > 0),
	CONSTRAINT "credits_float_top_ups_trigger_check" CHECK ("credits_float_top_ups"."trigger" IN ('manual', 'automatic')),
	CONSTRAINT "credits_float_top_ups_state_check" CHECK ("credits_float_top_ups"."state" IN ('pending', 'applied')),
	CONSTRAINT "credits_float_top_ups_applied_check" CHECK (("credits_float_top_ups"."state" = 'applied') = ("credits_float_top_ups"."applied_at" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX "credits_float_reconciliations_reseller_idx" ON "credits_float_reconciliations" USING btree ("reseller_user_id","checked_at");--> statement-breakpoint
CREATE INDEX "credits_float_top_ups_reseller_idx" ON "credits_float_top_ups" USING btree ("reseller_user_id","created_at");--> statement-breakpoint
CREATE INDEX "credits_float_top_ups_pending_idx" ON "credits_float_top_ups" USING btree ("locked_until") WHERE "credits_float_top_ups"."state" = 'pending';