CREATE TABLE "gateway_leases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"grant_id" uuid,
	"server_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"tool" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"captured" numeric(78, 0) DEFAULT 0 NOT NULL,
	"hold_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "gateway_leases_captured_within" CHECK ("gateway_leases"."captured" >= 0 AND "gateway_leases"."captured" <= "gateway_leases"."amount")
);
--> statement-breakpoint
ALTER TABLE "gateway_leases" ADD CONSTRAINT "gateway_leases_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_leases" ADD CONSTRAINT "gateway_leases_server_id_gateway_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."gateway_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gateway_leases_open_idx" ON "gateway_leases" USING btree ("expires_at") WHERE "gateway_leases"."ended_at" IS NULL;