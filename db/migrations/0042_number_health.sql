ALTER TABLE "campaigns" ADD COLUMN "paused_detail" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "health_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "health_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "wait_reason" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "wait_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "messages_session_source_created_idx" ON "messages" USING btree ("session_id","source","created_at") WHERE "messages"."direction" = 'out';