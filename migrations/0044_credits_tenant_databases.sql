CREATE TABLE "credits_tenant_databases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"engine" text NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"database_name" text NOT NULL,
	"role_name" text,
	"sealed_password" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone,
	"ready_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credits_tenant_databases_user_id_unique" UNIQUE("user_id"),
	CONSTRAINT "credits_tenant_databases_database_name_unique" UNIQUE("database_name"),
	CONSTRAINT "credits_tenant_databases_role_name_unique" UNIQUE("role_name"),
	CONSTRAINT "credits_tenant_databases_engine_check" CHECK ("credits_tenant_databases"."engine" IN ('postgres', 'pglite')),
	CONSTRAINT "credits_tenant_databases_state_check" CHECK ("credits_tenant_databases"."state" IN ('requested', 'created', 'migrated', 'ready', 'failed')),
	CONSTRAINT "credits_tenant_databases_credentials_check" CHECK (("credits_tenant_databases"."engine" = 'postgres') = ("credits_tenant_databases"."role_name" IS NOT NULL AND "credits_tenant_databases"."sealed_password" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX "credits_tenant_databases_due_idx" ON "credits_tenant_databases" USING btree ("next_attempt_at") WHERE "credits_tenant_databases"."state" <> 'ready';