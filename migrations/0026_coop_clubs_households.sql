CREATE TABLE "coop_clubs" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"join_code_required" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_household_members" (
	"household_id" uuid NOT NULL,
	"club_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"joined_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_household_members_one_per_club" UNIQUE("club_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "coop_households" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"name" text NOT NULL,
	"photo_file_id" uuid,
	"created_by" uuid NOT NULL,
	"archived_at" timestamp with time zone,
	"archived_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_invite_links" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"uses" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_join_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"household_id" uuid NOT NULL,
	"club_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"code" text NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"wrong_codes" integer DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_join_requests_decided" CHECK (("coop_join_requests"."state" = 'pending') = ("coop_join_requests"."decided_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "coop_clubs" ADD CONSTRAINT "coop_clubs_organization_id_core_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."core_organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_household_members" ADD CONSTRAINT "coop_household_members_household_id_coop_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."coop_households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_households" ADD CONSTRAINT "coop_households_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_invite_links" ADD CONSTRAINT "coop_invite_links_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_join_requests" ADD CONSTRAINT "coop_join_requests_household_id_coop_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."coop_households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coop_household_members_household_idx" ON "coop_household_members" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "coop_households_club_idx" ON "coop_households" USING btree ("club_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "coop_households_open_name" ON "coop_households" USING btree ("club_id",lower("name")) WHERE "coop_households"."archived_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "coop_invite_links_token" ON "coop_invite_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "coop_invite_links_club_idx" ON "coop_invite_links" USING btree ("club_id");--> statement-breakpoint
CREATE INDEX "coop_join_requests_household_idx" ON "coop_join_requests" USING btree ("household_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "coop_join_requests_one_pending" ON "coop_join_requests" USING btree ("club_id","user_id") WHERE "coop_join_requests"."state" = 'pending';