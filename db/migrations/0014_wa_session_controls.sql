ALTER TABLE "wa_sessions" ADD COLUMN "qr" text;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "connection_state" text;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "status_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "restart_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "logout_requested_at" timestamp with time zone;