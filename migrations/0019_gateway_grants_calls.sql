CREATE TABLE "gateway_calls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"grant_id" uuid,
	"server_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"tool" text NOT NULL,
	"price" numeric(78, 0) NOT NULL,
	"state" text NOT NULL,
	"request_hash" text NOT NULL,
	"failure" text,
	"result" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"latency_ms" integer,
	"settlement_id" uuid,
	CONSTRAINT "gateway_calls_price_not_negative" CHECK ("gateway_calls"."price" >= 0)
);
--> statement-breakpoint
CREATE TABLE "gateway_grant_usage" (
	"grant_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	CONSTRAINT "gateway_grant_usage_grant_id_scope_pk" PRIMARY KEY("grant_id","scope"),
	CONSTRAINT "gateway_grant_usage_not_negative" CHECK ("gateway_grant_usage"."amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "gateway_grants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"label" text NOT NULL,
	"wallet_address" text,
	"session_key" text,
	"token_hash" text,
	"token_prefix" text,
	"cap" numeric(78, 0) NOT NULL,
	"daily_budget" numeric(78, 0),
	"provider_caps" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tool_caps" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"servers" jsonb,
	"committed" numeric(78, 0) DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_grants_committed_within_cap" CHECK ("gateway_grants"."committed" >= 0 AND "gateway_grants"."committed" <= "gateway_grants"."cap"),
	CONSTRAINT "gateway_grants_proof" CHECK (("gateway_grants"."kind" = 'session_key' AND "gateway_grants"."session_key" IS NOT NULL) OR ("gateway_grants"."kind" = 'bearer' AND "gateway_grants"."token_hash" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "gateway_request_nonces" (
	"signer" text NOT NULL,
	"nonce" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_request_nonces_signer_nonce_pk" PRIMARY KEY("signer","nonce")
);
--> statement-breakpoint
ALTER TABLE "gateway_calls" ADD CONSTRAINT "gateway_calls_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_calls" ADD CONSTRAINT "gateway_calls_server_id_gateway_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."gateway_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_calls" ADD CONSTRAINT "gateway_calls_provider_id_gateway_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."gateway_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_grant_usage" ADD CONSTRAINT "gateway_grant_usage_grant_id_gateway_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."gateway_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_grants" ADD CONSTRAINT "gateway_grants_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gateway_calls_user_idx" ON "gateway_calls" USING btree ("user_id","started_at","id");--> statement-breakpoint
CREATE INDEX "gateway_calls_server_idx" ON "gateway_calls" USING btree ("server_id","started_at");--> statement-breakpoint
CREATE INDEX "gateway_calls_unsettled_idx" ON "gateway_calls" USING btree ("finished_at") WHERE "gateway_calls"."settlement_id" IS NULL AND "gateway_calls"."state" = 'served';--> statement-breakpoint
CREATE INDEX "gateway_grants_user_idx" ON "gateway_grants" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_grants_token_idx" ON "gateway_grants" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_grants_session_key_idx" ON "gateway_grants" USING btree ("session_key");--> statement-breakpoint
CREATE INDEX "gateway_request_nonces_expiry_idx" ON "gateway_request_nonces" USING btree ("expires_at");