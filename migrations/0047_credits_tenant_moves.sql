CREATE TABLE "credits_tenant_moves" (
	"id" uuid PRIMARY KEY NOT NULL,
	"reseller_user_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"state" text NOT NULL,
	"moved" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "credits_tenant_moves_direction_check" CHECK ("credits_tenant_moves"."direction" IN ('into_own', 'back_to_shared')),
	CONSTRAINT "credits_tenant_moves_state_check" CHECK ("credits_tenant_moves"."state" IN ('preparing', 'moving', 'done'))
);
--> statement-breakpoint
ALTER TABLE "credits_tenant_databases" DROP CONSTRAINT "credits_tenant_databases_state_check";--> statement-breakpoint
DROP INDEX "credits_tenant_databases_due_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "credits_tenant_moves_open_idx" ON "credits_tenant_moves" USING btree ("reseller_user_id") WHERE "credits_tenant_moves"."state" <> 'done';--> statement-breakpoint
CREATE INDEX "credits_tenant_databases_due_idx" ON "credits_tenant_databases" USING btree ("next_attempt_at") WHERE "credits_tenant_databases"."state" NOT IN ('ready', 'retired');--> statement-breakpoint
ALTER TABLE "credits_tenant_databases" ADD CONSTRAINT "credits_tenant_databases_state_check" CHECK ("credits_tenant_databases"."state" IN ('requested', 'created', 'migrated', 'ready', 'failed', 'retired'));