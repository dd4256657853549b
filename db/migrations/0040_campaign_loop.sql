ALTER TABLE "campaigns" ADD COLUMN "tick_token" uuid;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "rate_anchor_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "rate_anchor_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "recipient_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "done_count" integer DEFAULT 0 NOT NULL;