CREATE TABLE "coop_payment_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"club_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"execution_date" text NOT NULL,
	"transfers" integer NOT NULL,
	"total_cents" numeric(78, 0) NOT NULL,
	"xml" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coop_payment_batches_message" UNIQUE("club_id","message_id")
);
--> statement-breakpoint
ALTER TABLE "coop_order_producers" ADD COLUMN "payment_batch_id" uuid;--> statement-breakpoint
ALTER TABLE "coop_order_producers" ADD COLUMN "payment_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "coop_payment_batches" ADD CONSTRAINT "coop_payment_batches_club_id_coop_clubs_organization_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."coop_clubs"("organization_id") ON DELETE no action ON UPDATE no action;