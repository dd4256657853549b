CREATE TABLE "analytics_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"session_id" uuid NOT NULL,
	"messages_in" integer DEFAULT 0 NOT NULL,
	"messages_out" integer DEFAULT 0 NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"delivered" integer DEFAULT 0 NOT NULL,
	"read" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"handoffs" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_hourly_hour_session_id_pk" PRIMARY KEY("hour","session_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"thread_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"responder" text NOT NULL,
	"user_id" uuid,
	"waiting_since" timestamp with time zone NOT NULL,
	"responded_at" timestamp with time zone NOT NULL,
	"response_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollup_state" (
	"name" text PRIMARY KEY NOT NULL,
	"refreshed_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "analytics_responses_at_idx" ON "analytics_responses" USING btree ("responded_at") INCLUDE ("responder", "response_ms", "session_id");--> statement-breakpoint
CREATE INDEX "analytics_responses_user_idx" ON "analytics_responses" USING btree ("user_id","responded_at") WHERE "analytics_responses"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "webhook_attempts_at_idx" ON "webhook_attempts" USING btree ("at");--> statement-breakpoint
-- Analytics reads a time range of messages by direction, source, thread and session: served
-- from the index alone (an index-only scan), never from the 1-million-row table.
CREATE INDEX IF NOT EXISTS "messages_analytics_idx" ON "messages" USING btree ("created_at") INCLUDE ("direction", "source", "thread_id", "session_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "events_type_thread_idx" ON "events" USING btree ("type", "thread_id", "at");
