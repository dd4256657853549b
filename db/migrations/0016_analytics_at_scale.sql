CREATE TABLE "analytics_ai_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"session_id" uuid NOT NULL,
	"latency_ms" integer NOT NULL,
	"fallback" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_response_hist" (
	"hour" timestamp with time zone NOT NULL,
	"session_id" uuid NOT NULL,
	"responder" text NOT NULL,
	"bucket" smallint NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "analytics_response_hist_hour_session_id_responder_bucket_pk" PRIMARY KEY("hour","session_id","responder","bucket")
);
--> statement-breakpoint
CREATE TABLE "analytics_thread_days" (
	"day" date NOT NULL,
	"session_id" uuid NOT NULL,
	"chunk" integer NOT NULL,
	"inbound" bit(8192) NOT NULL,
	"bot_answered" bit(8192) NOT NULL,
	"handed_off" bit(8192) NOT NULL,
	"to_people" bit(8192) NOT NULL,
	CONSTRAINT "analytics_thread_days_day_session_id_chunk_pk" PRIMARY KEY("day","session_id","chunk")
);
--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "analytics_no" integer NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "threads_analytics_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "analytics_responses" ADD COLUMN "bucket" smallint GENERATED ALWAYS AS (floor(ln(response_ms::float8 + 1) * 5.770780163555854)::smallint) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "analytics_ai_calls_at_idx" ON "analytics_ai_calls" USING btree ("at") INCLUDE ("session_id", "latency_ms", "fallback");--> statement-breakpoint
CREATE INDEX "messages_agent_replies_idx" ON "messages" USING btree ("created_at") INCLUDE ("author_user_id", "session_id") WHERE "messages"."source" = 'agent';--> statement-breakpoint
CREATE INDEX "analytics_responses_bucket_idx" ON "analytics_responses" USING btree ("responder","bucket","responded_at") INCLUDE ("response_ms", "session_id");--> statement-breakpoint
-- AI replies sent so far, from their events (discarded ones were never sent).
INSERT INTO "analytics_ai_calls" ("at", "session_id", "latency_ms", "fallback")
SELECT "at", "session_id", coalesce(("payload"->>'latencyMs')::int, 0), "payload"->>'outcome' = 'fallback'
FROM "events" WHERE "type" = 'ai.replied' AND "session_id" IS NOT NULL AND NOT ("payload" ? 'discarded');
--> statement-breakpoint
-- The response histogram is new: the next rollup rebuilds every hour (and the thread days) from the raw tables.
DELETE FROM "analytics_rollup_state" WHERE "name" = 'hourly';
