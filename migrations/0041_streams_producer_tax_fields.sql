ALTER TABLE "streams_producers" ADD COLUMN "legal_name" text;--> statement-breakpoint
ALTER TABLE "streams_producers" ADD COLUMN "postal_address" text;--> statement-breakpoint
ALTER TABLE "streams_producers" ADD COLUMN "tax_id" text;--> statement-breakpoint
ALTER TABLE "streams_producers" ADD COLUMN "vat_rate_bps" integer;--> statement-breakpoint
ALTER TABLE "streams_producers" ADD CONSTRAINT "streams_producers_vat_rate" CHECK ("streams_producers"."vat_rate_bps" IS NULL OR ("streams_producers"."vat_rate_bps" >= 0 AND "streams_producers"."vat_rate_bps" <= 10000));