CREATE TABLE "coop_bank_lines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"statement_id" uuid NOT NULL,
	"bank_id" text NOT NULL,
	"booked_on" text NOT NULL,
	"amount_cents" numeric(78, 0) NOT NULL,
	"direction" text NOT NULL,
	"counterparty_name" text NOT NULL,
	"counterparty_iban" text,
	"remittance" text NOT NULL,
	"references" text[] NOT NULL,
	"end_to_end_id" text,
	"state" text NOT NULL,
	"order_id" uuid,
	"household_id" uuid,
	"confidence" integer,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_bank_lines_bank_id" UNIQUE("club_id","bank_id")
);
--> statement-breakpoint
CREATE TABLE "coop_bank_statements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"format" text NOT NULL,
	"file_id" uuid NOT NULL,
	"bank_statement_id" text,
	"account_iban" text,
	"lines" integer NOT NULL,
	"new_lines" integer NOT NULL,
	"imported_by" uuid NOT NULL,
	"imported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_bill_changes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"ordered_items" integer NOT NULL,
	"items" integer,
	"estimate_quantity" numeric(78, 0),
	"weighed_quantity" numeric(78, 0),
	"price_before_cents" numeric(78, 0),
	"price_after_cents" numeric(78, 0),
	"comment" text DEFAULT '' NOT NULL,
	"changed_by" uuid,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_bills" (
	"order_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"net_cents" numeric(78, 0) NOT NULL,
	"vat_cents" numeric(78, 0) NOT NULL,
	"total_cents" numeric(78, 0) NOT NULL,
	"reference" text NOT NULL,
	"by_vat_rate" jsonb NOT NULL,
	"received_cents" numeric(78, 0) NOT NULL,
	"payment_state" text NOT NULL,
	"bad_reason" text,
	"bad_text" text,
	"fix_note" text,
	"fixed_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"checked_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_bills_order_id_household_id_pk" PRIMARY KEY("order_id","household_id"),
	CONSTRAINT "coop_bills_bad" CHECK (("coop_bills"."payment_state" = 'bad') = ("coop_bills"."bad_reason" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "coop_club_bank_accounts" (
	"club_id" uuid PRIMARY KEY NOT NULL,
	"account_holder" text NOT NULL,
	"iban" text NOT NULL,
	"bic" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_club_order_settings" (
	"club_id" uuid PRIMARY KEY NOT NULL,
	"allocation_rule" text DEFAULT 'pro_rata' NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_household_orders" (
	"order_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid NOT NULL,
	CONSTRAINT "coop_household_orders_order_id_household_id_pk" PRIMARY KEY("order_id","household_id")
);
--> statement-breakpoint
CREATE TABLE "coop_order_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"user_id" uuid,
	"kind" text NOT NULL,
	"text" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coop_order_lines" (
	"order_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"producer_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"quantity" integer NOT NULL,
	"ordered_by" uuid[] NOT NULL,
	"ordered_at" timestamp with time zone NOT NULL,
	"allotted" integer,
	"delivered_items" integer,
	"weights" jsonb,
	"net_cents" numeric(78, 0),
	"vat_cents" numeric(78, 0),
	"total_cents" numeric(78, 0),
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_order_lines_order_id_household_id_product_id_pk" PRIMARY KEY("order_id","household_id","product_id"),
	CONSTRAINT "coop_order_lines_quantity" CHECK ("coop_order_lines"."quantity" >= 0 AND coalesce("coop_order_lines"."allotted", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "coop_order_producers" (
	"order_id" uuid NOT NULL,
	"producer_id" uuid NOT NULL,
	"answer" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"answered_by" uuid NOT NULL,
	"answered_at" timestamp with time zone NOT NULL,
	"delivery_confirmed_at" timestamp with time zone,
	"delivery_confirmed_by" uuid,
	"expected_invoice_cents" numeric(78, 0),
	"invoice_file_id" uuid,
	"invoice_cents" numeric(78, 0),
	"invoice_uploaded_by" uuid,
	"invoice_uploaded_at" timestamp with time zone,
	"invoice_paid_by" uuid,
	"invoice_paid_at" timestamp with time zone,
	CONSTRAINT "coop_order_producers_order_id_producer_id_pk" PRIMARY KEY("order_id","producer_id"),
	CONSTRAINT "coop_order_producers_paid" CHECK ("coop_order_producers"."invoice_paid_at" IS NULL OR "coop_order_producers"."invoice_file_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "coop_order_products" (
	"order_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"producer_id" uuid NOT NULL,
	"ordered_items" integer NOT NULL,
	"allotted_items" integer NOT NULL,
	"maximum_available" integer,
	"outcome" text DEFAULT 'pending' NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"changed_price_cents" numeric(78, 0),
	"extra" boolean DEFAULT false NOT NULL,
	"extra_items" integer DEFAULT 0 NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone,
	CONSTRAINT "coop_order_products_order_id_product_id_pk" PRIMARY KEY("order_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "coop_orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"status" text NOT NULL,
	"deadline" timestamp with time zone,
	"pickup" text DEFAULT '' NOT NULL,
	"allocation_rule" text,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"processed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_orders_club_number" UNIQUE("club_id","number"),
	CONSTRAINT "coop_orders_open_deadline" CHECK ("coop_orders"."status" = 'preparing' OR "coop_orders"."deadline" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "core_mail_messages" ADD COLUMN "attachments" jsonb;--> statement-breakpoint
ALTER TABLE "coop_producers" ADD COLUMN "iban" text;--> statement-breakpoint
ALTER TABLE "coop_producers" ADD COLUMN "account_holder" text;--> statement-breakpoint
ALTER TABLE "coop_bank_lines" ADD CONSTRAINT "coop_bank_lines_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_bank_lines" ADD CONSTRAINT "coop_bank_lines_statement_id_coop_bank_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."coop_bank_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_bank_statements" ADD CONSTRAINT "coop_bank_statements_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_bills" ADD CONSTRAINT "coop_bills_order_id_coop_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."coop_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_bills" ADD CONSTRAINT "coop_bills_household_id_coop_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."coop_households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_club_bank_accounts" ADD CONSTRAINT "coop_club_bank_accounts_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_club_order_settings" ADD CONSTRAINT "coop_club_order_settings_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_household_orders" ADD CONSTRAINT "coop_household_orders_order_id_coop_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."coop_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_household_orders" ADD CONSTRAINT "coop_household_orders_household_id_coop_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."coop_households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_events" ADD CONSTRAINT "coop_order_events_order_id_coop_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."coop_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_lines" ADD CONSTRAINT "coop_order_lines_order_id_coop_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."coop_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_lines" ADD CONSTRAINT "coop_order_lines_household_id_coop_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."coop_households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_lines" ADD CONSTRAINT "coop_order_lines_product_id_coop_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."coop_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_producers" ADD CONSTRAINT "coop_order_producers_order_id_coop_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."coop_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_producers" ADD CONSTRAINT "coop_order_producers_producer_id_coop_producers_id_fk" FOREIGN KEY ("producer_id") REFERENCES "public"."coop_producers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_products" ADD CONSTRAINT "coop_order_products_order_id_coop_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."coop_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_order_products" ADD CONSTRAINT "coop_order_products_product_id_coop_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."coop_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coop_orders" ADD CONSTRAINT "coop_orders_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coop_bank_lines_state_idx" ON "coop_bank_lines" USING btree ("club_id","state");--> statement-breakpoint
CREATE INDEX "coop_bank_statements_club_idx" ON "coop_bank_statements" USING btree ("club_id","imported_at");--> statement-breakpoint
CREATE INDEX "coop_bill_changes_household_idx" ON "coop_bill_changes" USING btree ("order_id","household_id","changed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "coop_bills_reference" ON "coop_bills" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "coop_order_events_order_idx" ON "coop_order_events" USING btree ("order_id","at");--> statement-breakpoint
CREATE INDEX "coop_order_lines_product_idx" ON "coop_order_lines" USING btree ("order_id","product_id");--> statement-breakpoint
CREATE INDEX "coop_orders_club_idx" ON "coop_orders" USING btree ("club_id","status");