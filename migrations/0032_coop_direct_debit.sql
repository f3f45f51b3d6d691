CREATE TABLE "coop_direct_debit_collections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"collection_date" text NOT NULL,
	"debits" integer NOT NULL,
	"total_cents" numeric(78, 0) NOT NULL,
	"xml" text NOT NULL,
	"state" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"cancelled_by" uuid,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "coop_direct_debit_collections_message" UNIQUE("club_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "coop_direct_debit_mandates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"account_holder" text NOT NULL,
	"iban" text NOT NULL,
	"bic" text,
	"signed_on" text NOT NULL,
	"signed_by" uuid NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"revoked_by" uuid,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "coop_direct_debit_settings" (
	"club_id" uuid PRIMARY KEY NOT NULL,
	"creditor_id" text NOT NULL,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_direct_debits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"collection_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"mandate_id" uuid NOT NULL,
	"end_to_end_id" text NOT NULL,
	"amount_cents" numeric(78, 0) NOT NULL,
	"sequence_type" text NOT NULL,
	"state" text NOT NULL,
	"collected_at" timestamp with time zone,
	"returned_at" timestamp with time zone,
	CONSTRAINT "coop_direct_debits_end_to_end" UNIQUE("club_id","end_to_end_id")
);
--> statement-breakpoint
ALTER TABLE "coop_direct_debit_collections" ADD CONSTRAINT "coop_direct_debit_collections_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debit_mandates" ADD CONSTRAINT "coop_direct_debit_mandates_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debit_mandates" ADD CONSTRAINT "coop_direct_debit_mandates_household_id_coop_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."coop_households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debit_settings" ADD CONSTRAINT "coop_direct_debit_settings_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debits" ADD CONSTRAINT "coop_direct_debits_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debits" ADD CONSTRAINT "coop_direct_debits_collection_id_coop_direct_debit_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."coop_direct_debit_collections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debits" ADD CONSTRAINT "coop_direct_debits_order_id_coop_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."coop_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debits" ADD CONSTRAINT "coop_direct_debits_household_id_coop_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."coop_households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_direct_debits" ADD CONSTRAINT "coop_direct_debits_mandate_id_coop_direct_debit_mandates_id_fk" FOREIGN KEY ("mandate_id") REFERENCES "public"."coop_direct_debit_mandates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "coop_direct_debit_mandates_reference" ON "coop_direct_debit_mandates" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "coop_direct_debit_mandates_active" ON "coop_direct_debit_mandates" USING btree ("household_id") WHERE "coop_direct_debit_mandates"."state" = 'active';--> statement-breakpoint
CREATE INDEX "coop_direct_debit_mandates_club_idx" ON "coop_direct_debit_mandates" USING btree ("club_id");--> statement-breakpoint
CREATE UNIQUE INDEX "coop_direct_debits_live" ON "coop_direct_debits" USING btree ("order_id","household_id") WHERE "coop_direct_debits"."state" IN ('sent', 'collected');--> statement-breakpoint
CREATE INDEX "coop_direct_debits_collection_idx" ON "coop_direct_debits" USING btree ("collection_id");