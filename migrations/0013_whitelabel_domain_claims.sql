ALTER TABLE "credits_whitelabels" DROP CONSTRAINT "credits_whitelabels_domain_unique";--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ADD COLUMN "challenge_token" text;--> statement-breakpoint
UPDATE "credits_whitelabels" SET "challenge_token" = replace(gen_random_uuid()::text, '-', '');--> statement-breakpoint
ALTER TABLE "credits_whitelabels" ALTER COLUMN "challenge_token" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "credits_whitelabels_verified_domain_idx" ON "credits_whitelabels" USING btree ("domain") WHERE "credits_whitelabels"."dns_verified_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "credits_whitelabels_domain_idx" ON "credits_whitelabels" USING btree ("domain");
