DROP INDEX "contacts_last_interaction_idx";--> statement-breakpoint
CREATE INDEX "contacts_recent_idx" ON "contacts" USING btree (coalesce("last_interaction_at", '-infinity'::timestamptz) desc,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "contacts_name_idx" ON "contacts" USING btree (coalesce("name", ''),"id");--> statement-breakpoint
CREATE INDEX "contacts_first_seen_idx" ON "contacts" USING btree ("first_seen_at","id");