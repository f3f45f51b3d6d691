CREATE TABLE "streams_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"producer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"external_link" text,
	"description" text DEFAULT '' NOT NULL,
	"total_supply" integer,
	"token" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"period_price" numeric(78, 0),
	"period" text,
	"flow_rate" numeric(78, 0),
	"month_limit" integer,
	"grace_seconds" integer DEFAULT 0 NOT NULL,
	"cliff_at" timestamp with time zone,
	"start_amount" numeric(78, 0),
	"usage_price" numeric(78, 0),
	"min_usage" integer,
	"max_usage" integer,
	"background_color" text DEFAULT '#1c7ed6' NOT NULL,
	"image_file_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "streams_plans_kind_fields" CHECK (CASE "streams_plans"."kind"
        WHEN 'usage' THEN "streams_plans"."usage_price" IS NOT NULL AND "streams_plans"."min_usage" IS NOT NULL AND "streams_plans"."max_usage" IS NOT NULL AND "streams_plans"."flow_rate" IS NULL
        WHEN 'vesting' THEN "streams_plans"."flow_rate" IS NOT NULL AND "streams_plans"."cliff_at" IS NOT NULL AND "streams_plans"."start_amount" IS NOT NULL
        ELSE "streams_plans"."flow_rate" IS NOT NULL AND "streams_plans"."cliff_at" IS NULL AND "streams_plans"."usage_price" IS NULL END),
	CONSTRAINT "streams_plans_supply" CHECK ("streams_plans"."total_supply" IS NULL OR "streams_plans"."total_supply" > 0)
);
--> statement-breakpoint
CREATE TABLE "streams_producers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"site" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"payout_address" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "streams_plans" ADD CONSTRAINT "streams_plans_producer_id_streams_producers_id_fk" FOREIGN KEY ("producer_id") REFERENCES "public"."streams_producers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_plans" ADD CONSTRAINT "streams_plans_image_file_id_core_files_id_fk" FOREIGN KEY ("image_file_id") REFERENCES "public"."core_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_producers" ADD CONSTRAINT "streams_producers_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "streams_plans_producer_idx" ON "streams_plans" USING btree ("producer_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "streams_producers_user_idx" ON "streams_producers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "streams_producers_name_idx" ON "streams_producers" USING btree ("name");