CREATE TABLE "coop_statement_mappings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"name" text NOT NULL,
	"mapping" jsonb NOT NULL,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "coop_statement_mappings" ADD CONSTRAINT "coop_statement_mappings_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "coop_statement_mappings_name" ON "coop_statement_mappings" USING btree ("club_id",lower("name"));