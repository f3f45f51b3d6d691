ALTER TABLE "credits_action_prices" ALTER COLUMN "price" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_grants" ALTER COLUMN "amount" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_products" ALTER COLUMN "credits_per_cycle" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_products" ALTER COLUMN "rollover_credits" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_products" ALTER COLUMN "rollover_credits" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "credits_products" ALTER COLUMN "display_price_minor" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_products" ALTER COLUMN "display_price_minor" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "credits_reservations" ALTER COLUMN "amount" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_reservations" ALTER COLUMN "used_amount" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "credits_reservations" ALTER COLUMN "used_amount" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "credits_usages" ALTER COLUMN "amount" SET DATA TYPE numeric(78, 0);--> statement-breakpoint
ALTER TABLE "ledger_accounts" ALTER COLUMN "debits_pending" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "ledger_accounts" ALTER COLUMN "debits_posted" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "ledger_accounts" ALTER COLUMN "credits_pending" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "ledger_accounts" ALTER COLUMN "credits_posted" SET DEFAULT 0;