CREATE TABLE "coop_producer_people" (
	"producer_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "coop_producer_people_unique" UNIQUE("producer_id","role","user_id")
);
--> statement-breakpoint
CREATE TABLE "coop_producers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"name" text NOT NULL,
	"photo_file_id" uuid,
	"contact_email" text DEFAULT '' NOT NULL,
	"phone_number" text DEFAULT '' NOT NULL,
	"location" text DEFAULT '' NOT NULL,
	"details" text DEFAULT '' NOT NULL,
	"liaison_user_id" uuid NOT NULL,
	"editor_policy" text DEFAULT 'liaison' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_product_versions" (
	"product_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"categories" text[] NOT NULL,
	"unit" text NOT NULL,
	"amount_per_package" numeric(78, 0) NOT NULL,
	"packages" integer NOT NULL,
	"estimate" boolean NOT NULL,
	"maximum_available" integer,
	"price_cents" numeric(78, 0) NOT NULL,
	"vat_basis_points" integer NOT NULL,
	"margin_basis_points" integer,
	"origin" text,
	"ingredients" text,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_product_versions_product_id_version_pk" PRIMARY KEY("product_id","version"),
	CONSTRAINT "coop_product_versions_amounts" CHECK ("coop_product_versions"."price_cents" >= 0 AND "coop_product_versions"."amount_per_package" > 0 AND "coop_product_versions"."packages" > 0),
	CONSTRAINT "coop_product_versions_rates" CHECK ("coop_product_versions"."vat_basis_points" BETWEEN 0 AND 10000 AND coalesce("coop_product_versions"."margin_basis_points", 0) BETWEEN 0 AND 100000)
);
--> statement-breakpoint
CREATE TABLE "coop_products" (
	"id" uuid PRIMARY KEY NOT NULL,
	"producer_id" uuid NOT NULL,
	"club_id" uuid NOT NULL,
	"current_version" integer NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "coop_producer_people" ADD CONSTRAINT "coop_producer_people_producer_id_coop_producers_id_fk" FOREIGN KEY ("producer_id") REFERENCES "public"."coop_producers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_producers" ADD CONSTRAINT "coop_producers_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_product_versions" ADD CONSTRAINT "coop_product_versions_product_id_coop_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."coop_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_products" ADD CONSTRAINT "coop_products_producer_id_coop_producers_id_fk" FOREIGN KEY ("producer_id") REFERENCES "public"."coop_producers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "coop_producers_club_name" ON "coop_producers" USING btree ("club_id",lower("name"));--> statement-breakpoint
CREATE INDEX "coop_products_producer_idx" ON "coop_products" USING btree ("producer_id");