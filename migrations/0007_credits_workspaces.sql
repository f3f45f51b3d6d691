CREATE TABLE "credits_workspaces" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"billing_user_id" uuid NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credits_workspaces" ADD CONSTRAINT "credits_workspaces_organization_id_core_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."core_organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credits_workspaces_billing_idx" ON "credits_workspaces" USING btree ("billing_user_id");--> statement-breakpoint
INSERT INTO "credits_workspaces" ("organization_id", "billing_user_id", "archived_at", "created_at")
SELECT "id", ("metadata"->>'credits_billing_user_id')::uuid, ("metadata"->>'credits_archived_at')::timestamptz, "created_at"
FROM "core_organizations" WHERE "kind" = 'credits_workspace' AND "metadata" ? 'credits_billing_user_id';--> statement-breakpoint
UPDATE "core_organizations" SET "metadata" = "metadata" - 'credits_billing_user_id' - 'credits_archived_at' WHERE "kind" = 'credits_workspace';
