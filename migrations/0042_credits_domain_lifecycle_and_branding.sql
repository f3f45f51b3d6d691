ALTER TABLE "credits_whitelabels" ADD COLUMN "status" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "activated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "suspension_reason" text;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "failed_checks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "next_check_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "brand_name" text;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "logo_file_id" uuid;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "primary_color" text;--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "accent_color" text;--> statement-breakpoint
CREATE INDEX "credits_whitelabels_next_check_idx" ON "credits_whitelabels" USING btree ("next_check_at");--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD CONSTRAINT "credits_whitelabels_status_check" CHECK ("credits_whitelabels"."status" IN ('pending', 'verified', 'active', 'suspended'));--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD CONSTRAINT "credits_whitelabels_colors_check" CHECK (("credits_whitelabels"."primary_color" IS NULL OR "credits_whitelabels"."primary_color" ~ '^#[0-9a-f]{6}$') AND ("credits_whitelabels"."accent_color" IS NULL OR "credits_whitelabels"."accent_color" ~ '^#[0-9a-f]{6}$'));--> statement-breakpoint
UPDATE "credits_whitelabels" SET "status" = 'active', "activated_at" = "dns_verified_at" WHERE "dns_verified_at" IS NOT NULL;