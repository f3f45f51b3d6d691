ALTER TABLE "credits_purchases" ADD COLUMN "amount_paid_minor" numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_purchases" ADD COLUMN "amount_paid_currency" text;