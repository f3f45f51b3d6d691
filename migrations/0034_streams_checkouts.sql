CREATE TABLE "streams_checkouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plan_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"subscriber_address" text NOT NULL,
	"receiver_address" text NOT NULL,
	"token" text NOT NULL,
	"flow_rate" numeric(78, 0),
	"uses" integer,
	"amount" numeric(78, 0),
	"state" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "streams_subscriptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plan_id" uuid NOT NULL,
	"checkout_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"subscriber_address" text NOT NULL,
	"receiver_address" text NOT NULL,
	"token" text NOT NULL,
	"flow_rate" numeric(78, 0),
	"state" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "streams_checkouts" ADD CONSTRAINT "streams_checkouts_plan_id_streams_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."streams_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_checkouts" ADD CONSTRAINT "streams_checkouts_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD CONSTRAINT "streams_subscriptions_plan_id_streams_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."streams_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD CONSTRAINT "streams_subscriptions_checkout_id_streams_checkouts_id_fk" FOREIGN KEY ("checkout_id") REFERENCES "public"."streams_checkouts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams_subscriptions" ADD CONSTRAINT "streams_subscriptions_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "streams_checkouts_plan_idx" ON "streams_checkouts" USING btree ("plan_id","state","expires_at");--> statement-breakpoint
CREATE INDEX "streams_checkouts_user_idx" ON "streams_checkouts" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "streams_subscriptions_checkout_idx" ON "streams_subscriptions" USING btree ("checkout_id");--> statement-breakpoint
CREATE INDEX "streams_subscriptions_plan_idx" ON "streams_subscriptions" USING btree ("plan_id","state");--> statement-breakpoint
CREATE INDEX "streams_subscriptions_flow_idx" ON "streams_subscriptions" USING btree ("subscriber_address","receiver_address","token");