DROP INDEX "core_audit_actor_idx";--> statement-breakpoint
DROP INDEX "core_audit_object_idx";--> statement-breakpoint
DROP INDEX "core_audit_org_idx";--> statement-breakpoint
DROP INDEX "core_mail_to_idx";--> statement-breakpoint
DROP INDEX "core_notifications_user_idx";--> statement-breakpoint
DROP INDEX "credits_products_owner_idx";--> statement-breakpoint
DROP INDEX "credits_purchases_user_idx";--> statement-breakpoint
DROP INDEX "credits_usages_user_idx";--> statement-breakpoint
DROP INDEX "credits_usages_workspace_idx";--> statement-breakpoint
DROP INDEX "ledger_accounts_owner_idx";--> statement-breakpoint
DROP INDEX "ledger_accounts_ledger_idx";--> statement-breakpoint
CREATE INDEX "core_audit_action_idx" ON "core_audit_log" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "chain_outgoing_state_idx" ON "chain_outgoing_transactions" USING btree ("state","id");--> statement-breakpoint
CREATE INDEX "credits_reservations_user_created_idx" ON "credits_reservations" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_ledger_idx" ON "ledger_transfers" USING btree ("ledger","seq");--> statement-breakpoint
CREATE INDEX "core_audit_actor_idx" ON "core_audit_log" USING btree ("actor_user_id","id");--> statement-breakpoint
CREATE INDEX "core_audit_object_idx" ON "core_audit_log" USING btree ("object_type","object_id","id");--> statement-breakpoint
CREATE INDEX "core_audit_org_idx" ON "core_audit_log" USING btree ("organization_id","id");--> statement-breakpoint
CREATE INDEX "core_mail_to_idx" ON "core_mail_messages" USING btree ("to_address","id");--> statement-breakpoint
CREATE INDEX "core_notifications_user_idx" ON "core_notifications" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "credits_products_owner_idx" ON "credits_products" USING btree ("owner_user_id","id");--> statement-breakpoint
CREATE INDEX "credits_purchases_user_idx" ON "credits_purchases" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "credits_usages_user_idx" ON "credits_usages" USING btree ("user_id","used_at","id");--> statement-breakpoint
CREATE INDEX "credits_usages_workspace_idx" ON "credits_usages" USING btree ("workspace_id","used_at","id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_owner_idx" ON "ledger_accounts" USING btree ("owner","id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_ledger_idx" ON "ledger_accounts" USING btree ("ledger","id");