CREATE TABLE "core_webhook_attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"delivery_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"status_code" integer,
	"response_excerpt" text,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "core_webhook_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"owner_kind" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"final_attempt" integer NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"last_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "core_webhook_endpoints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_kind" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"url" text NOT NULL,
	"event_types" text[] NOT NULL,
	"secret_sealed" text NOT NULL,
	"previous_secret_sealed" text,
	"previous_secret_expires_at" timestamp with time zone,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "core_webhook_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_kind" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "core_webhook_attempts" ADD CONSTRAINT "core_webhook_attempts_delivery_id_core_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."core_webhook_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "core_webhook_deliveries" ADD CONSTRAINT "core_webhook_deliveries_event_id_core_webhook_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."core_webhook_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "core_webhook_deliveries" ADD CONSTRAINT "core_webhook_deliveries_endpoint_id_core_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."core_webhook_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "core_webhook_attempts_delivery_idx" ON "core_webhook_attempts" USING btree ("delivery_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "core_webhook_deliveries_event_endpoint_idx" ON "core_webhook_deliveries" USING btree ("event_id","endpoint_id");--> statement-breakpoint
CREATE INDEX "core_webhook_deliveries_due_idx" ON "core_webhook_deliveries" USING btree ("next_attempt_at") WHERE "core_webhook_deliveries"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "core_webhook_deliveries_owner_idx" ON "core_webhook_deliveries" USING btree ("owner_kind","owner_id","created_at","id");--> statement-breakpoint
CREATE INDEX "core_webhook_deliveries_endpoint_idx" ON "core_webhook_deliveries" USING btree ("endpoint_id","created_at","id");--> statement-breakpoint
CREATE INDEX "core_webhook_endpoints_owner_idx" ON "core_webhook_endpoints" USING btree ("owner_kind","owner_id","id");--> statement-breakpoint
CREATE INDEX "core_webhook_events_created_idx" ON "core_webhook_events" USING btree ("created_at");