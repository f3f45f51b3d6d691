CREATE TABLE "credits_action_prices" (
	"action" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"price" bigint NOT NULL,
	"built_in" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credits_customers" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"reseller_user_id" uuid,
	"onboarded_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credits_grants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"workspace_id" uuid,
	"source" text NOT NULL,
	"holding_id" uuid,
	"product_id" uuid,
	"amount" bigint NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"expires_at" timestamp with time zone,
	"reason" text,
	"created_by_user_id" uuid,
	"expired_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credits_grants_amount_positive" CHECK ("credits_grants"."amount" > 0),
	CONSTRAINT "credits_grants_adjustment_reason" CHECK ("credits_grants"."source" <> 'adjustment' OR "credits_grants"."reason" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "credits_holdings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"purchase_id" uuid NOT NULL,
	"cycle_started_at" timestamp with time zone NOT NULL,
	"next_refill_at" timestamp with time zone,
	"refilled_at" timestamp with time zone NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credits_integrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"secret" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "credits_products" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_user_id" uuid,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"credits_per_cycle" bigint NOT NULL,
	"refill_cycle" text NOT NULL,
	"rollover_credits" bigint DEFAULT 0 NOT NULL,
	"permissions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"display_price_minor" bigint DEFAULT 0 NOT NULL,
	"display_currency" text DEFAULT 'USD' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credits_products_credits_positive" CHECK ("credits_products"."credits_per_cycle" > 0),
	CONSTRAINT "credits_products_rollover_range" CHECK ("credits_products"."rollover_credits" >= 0 AND "credits_products"."rollover_credits" <= "credits_products"."credits_per_cycle"),
	CONSTRAINT "credits_products_owner_by_type" CHECK (("credits_products"."type" = 'under_whitelabel') = ("credits_products"."owner_user_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "credits_purchases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"integration_id" uuid,
	"order_id" text NOT NULL,
	"email" text NOT NULL,
	"product_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"registered" boolean NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credits_purchases_order_unique" UNIQUE("source","integration_id","order_id")
);
--> statement-breakpoint
CREATE TABLE "credits_reservations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"workspace_id" uuid,
	"reserved_for" text NOT NULL,
	"action" text,
	"amount" bigint NOT NULL,
	"used_amount" bigint DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"holds" jsonb NOT NULL,
	"idempotency_key" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "credits_reservations_idempotency_unique" UNIQUE("user_id","idempotency_key"),
	CONSTRAINT "credits_reservations_amount_positive" CHECK ("credits_reservations"."amount" > 0),
	CONSTRAINT "credits_reservations_used_range" CHECK ("credits_reservations"."used_amount" >= 0 AND "credits_reservations"."used_amount" <= "credits_reservations"."amount")
);
--> statement-breakpoint
CREATE TABLE "credits_usages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"workspace_id" uuid,
	"used_for" text NOT NULL,
	"action" text,
	"amount" bigint NOT NULL,
	"is_reserved" boolean NOT NULL,
	"reservation_id" uuid,
	"paid_by" jsonb NOT NULL,
	"idempotency_key" text,
	"used_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credits_usages_idempotency_unique" UNIQUE("user_id","idempotency_key"),
	CONSTRAINT "credits_usages_amount_positive" CHECK ("credits_usages"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "credits_whitelabels" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"domain" text NOT NULL,
	"cname_target" text NOT NULL,
	"dns_verified_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"database" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credits_whitelabels_user_id_unique" UNIQUE("user_id"),
	CONSTRAINT "credits_whitelabels_domain_unique" UNIQUE("domain")
);
--> statement-breakpoint
CREATE INDEX "credits_grants_user_idx" ON "credits_grants" USING btree ("user_id","workspace_id");--> statement-breakpoint
CREATE INDEX "credits_grants_expiry_idx" ON "credits_grants" USING btree ("expires_at") WHERE "credits_grants"."expired_at" IS NULL AND "credits_grants"."expires_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "credits_holdings_user_idx" ON "credits_holdings" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "credits_holdings_due_idx" ON "credits_holdings" USING btree ("next_refill_at") WHERE "credits_holdings"."active" AND "credits_holdings"."next_refill_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "credits_products_owner_idx" ON "credits_products" USING btree ("owner_user_id");--> statement-breakpoint
CREATE INDEX "credits_purchases_user_idx" ON "credits_purchases" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "credits_reservations_user_idx" ON "credits_reservations" USING btree ("user_id","state");--> statement-breakpoint
CREATE INDEX "credits_reservations_expiry_idx" ON "credits_reservations" USING btree ("expires_at") WHERE "credits_reservations"."state" = 'active';--> statement-breakpoint
CREATE INDEX "credits_usages_user_idx" ON "credits_usages" USING btree ("user_id","used_at");--> statement-breakpoint
CREATE INDEX "credits_usages_workspace_idx" ON "credits_usages" USING btree ("workspace_id","used_at");