ALTER TABLE "credits_checkouts" DROP CONSTRAINT "credits_checkouts_product_id_credits_products_id_fk";
--> statement-breakpoint
ALTER TABLE "credits_checkouts" ADD COLUMN "tenant_user_id" uuid;--> statement-breakpoint
ALTER TABLE "credits_checkouts" ADD COLUMN "purchase_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credits_checkouts" ADD COLUMN "purchase_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credits_checkouts" ADD COLUMN "float_short_notified_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "credits_checkouts_tenant_purchase_idx" ON "credits_checkouts" USING btree ("purchase_due_at") WHERE "credits_checkouts"."tenant_user_id" IS NOT NULL AND "credits_checkouts"."purchase_id" IS NULL;