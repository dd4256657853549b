ALTER TABLE "rule_hits" ADD COLUMN "thread_id" uuid;--> statement-breakpoint
-- Earlier hits get their message's thread (a message never changes thread).
UPDATE "rule_hits" h SET "thread_id" = m."thread_id" FROM "messages" m WHERE m."id" = h."message_id";--> statement-breakpoint
CREATE INDEX "rule_hits_thread_at_idx" ON "rule_hits" USING btree ("thread_id","at") INCLUDE ("rule_id");
