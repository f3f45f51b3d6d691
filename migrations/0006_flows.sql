CREATE TABLE "core_flows" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"key" text NOT NULL,
	"state" text NOT NULL,
	"input" jsonb NOT NULL,
	"step" integer DEFAULT 0 NOT NULL,
	"outputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_run_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "core_flows_name_key" UNIQUE("name","key")
);
--> statement-breakpoint
CREATE INDEX "core_flows_due_idx" ON "core_flows" USING btree ("next_run_at") WHERE "core_flows"."state" IN ('running', 'compensating');