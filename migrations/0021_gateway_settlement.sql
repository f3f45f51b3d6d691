CREATE TABLE "gateway_discrepancies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"settlement_id" uuid NOT NULL,
	"server_id" uuid NOT NULL,
	"tool" text,
	"metered" integer,
	"reported" integer,
	"note" text NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid
);
--> statement-breakpoint
CREATE TABLE "gateway_earnings" (
	"settlement_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"calls" integer NOT NULL,
	"gross" numeric(78, 0) NOT NULL,
	"fee" numeric(78, 0) NOT NULL,
	"net" numeric(78, 0) NOT NULL,
	"share_bps" integer NOT NULL,
	"balance_after" numeric(78, 0) NOT NULL,
	"payout_id" uuid,
	CONSTRAINT "gateway_earnings_settlement_id_provider_id_pk" PRIMARY KEY("settlement_id","provider_id")
);
--> statement-breakpoint
CREATE TABLE "gateway_payouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"provider_id" uuid NOT NULL,
	"settlement_id" uuid,
	"amount" numeric(78, 0) NOT NULL,
	"to_address" text NOT NULL,
	"state" text NOT NULL,
	"hold_id" uuid NOT NULL,
	"transaction_id" uuid,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "gateway_payouts_amount_positive" CHECK ("gateway_payouts"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "gateway_settings" (
	"id" integer PRIMARY KEY NOT NULL,
	"fee_bps" integer NOT NULL,
	"minimum_payout" numeric(78, 0) NOT NULL,
	"interval_hours" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway_settlements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"fee_bps" integer NOT NULL,
	"minimum_payout" numeric(78, 0) NOT NULL,
	"calls" integer NOT NULL,
	"gross" numeric(78, 0) NOT NULL,
	"fees" numeric(78, 0) NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gateway_discrepancies" ADD CONSTRAINT "gateway_discrepancies_settlement_id_gateway_settlements_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."gateway_settlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_discrepancies" ADD CONSTRAINT "gateway_discrepancies_server_id_gateway_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."gateway_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_earnings" ADD CONSTRAINT "gateway_earnings_settlement_id_gateway_settlements_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."gateway_settlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_earnings" ADD CONSTRAINT "gateway_earnings_provider_id_gateway_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."gateway_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_payouts" ADD CONSTRAINT "gateway_payouts_provider_id_gateway_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."gateway_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gateway_discrepancies_open_idx" ON "gateway_discrepancies" USING btree ("resolved_at","settlement_id");--> statement-breakpoint
CREATE INDEX "gateway_earnings_provider_idx" ON "gateway_earnings" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "gateway_payouts_provider_idx" ON "gateway_payouts" USING btree ("provider_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_payouts_transaction_idx" ON "gateway_payouts" USING btree ("transaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_settlements_period_idx" ON "gateway_settlements" USING btree ("period_end");