CREATE TABLE "core_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_user_id" uuid,
	"name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "core_files_owner_idx" ON "core_files" USING btree ("owner_user_id","id");