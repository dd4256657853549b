ALTER TABLE "wa_sessions" ADD COLUMN "reconnect_attempt" integer;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "next_retry_at" timestamp with time zone;