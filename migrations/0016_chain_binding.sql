CREATE TABLE "chain_binding" (
	"id" text PRIMARY KEY NOT NULL,
	"chain_id" integer NOT NULL,
	"genesis_hash" text NOT NULL,
	"tokens" jsonb NOT NULL,
	"bound_at" timestamp with time zone NOT NULL
);
