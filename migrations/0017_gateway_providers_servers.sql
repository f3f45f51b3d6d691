CREATE TABLE "gateway_kyc_documents" (
	"provider_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_kyc_documents_provider_id_file_id_pk" PRIMARY KEY("provider_id","file_id")
);
--> statement-breakpoint
CREATE TABLE "gateway_providers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"payout_address" text NOT NULL,
	"kyc_state" text DEFAULT 'none' NOT NULL,
	"kyc_submitted_at" timestamp with time zone,
	"kyc_reviewed_at" timestamp with time zone,
	"kyc_reviewed_by" uuid,
	"kyc_note" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway_servers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"provider_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"upstream_url" text NOT NULL,
	"upstream_header_name" text,
	"upstream_header_sealed" text,
	"usage_url" text,
	"state" text DEFAULT 'active' NOT NULL,
	"upstream_name" text,
	"upstream_version" text,
	"protocol_version" text,
	"checked_at" timestamp with time zone,
	"check_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_servers_header_whole" CHECK (("gateway_servers"."upstream_header_name" IS NULL) = ("gateway_servers"."upstream_header_sealed" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "gateway_tools" (
	"server_id" uuid NOT NULL,
	"name" text NOT NULL,
	"title" text,
	"description" text DEFAULT '' NOT NULL,
	"input_schema" jsonb NOT NULL,
	"price" numeric(78, 0),
	"listed" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gateway_tools_server_id_name_pk" PRIMARY KEY("server_id","name"),
	CONSTRAINT "gateway_tools_price_not_negative" CHECK ("gateway_tools"."price" IS NULL OR "gateway_tools"."price" >= 0)
);
--> statement-breakpoint
ALTER TABLE "gateway_kyc_documents" ADD CONSTRAINT "gateway_kyc_documents_provider_id_gateway_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."gateway_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_kyc_documents" ADD CONSTRAINT "gateway_kyc_documents_file_id_core_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."core_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_providers" ADD CONSTRAINT "gateway_providers_user_id_core_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."core_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_servers" ADD CONSTRAINT "gateway_servers_provider_id_gateway_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."gateway_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_tools" ADD CONSTRAINT "gateway_tools_server_id_gateway_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."gateway_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_providers_user_idx" ON "gateway_providers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "gateway_providers_kyc_idx" ON "gateway_providers" USING btree ("kyc_state","kyc_submitted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_servers_slug_idx" ON "gateway_servers" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "gateway_servers_provider_idx" ON "gateway_servers" USING btree ("provider_id","created_at");