CREATE TYPE "public"."thread_priority" AS ENUM('none', 'low', 'medium', 'high', 'urgent');--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"thread_id" uuid,
	"note_id" uuid,
	"actor_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "satisfaction_surveys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"thread_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"team_id" uuid,
	"agent_user_id" uuid,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"score" smallint,
	"comment" text,
	CONSTRAINT "satisfaction_surveys_score_check" CHECK ("satisfaction_surveys"."score" is null or "satisfaction_surveys"."score" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "priority" "thread_priority" DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "labels" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "snoozed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "snoozed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "first_human_reply_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "sla_first_response_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "sla_resolution_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "sla_first_response_breached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "sla_resolution_breached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "business_hours" jsonb;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "acknowledge" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "ack_message" text;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "closed_message" text;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "sla_first_response_minutes" integer;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "sla_resolution_minutes" integer;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "survey_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_note_id_thread_notes_id_fk" FOREIGN KEY ("note_id") REFERENCES "public"."thread_notes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "satisfaction_surveys" ADD CONSTRAINT "satisfaction_surveys_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "satisfaction_surveys" ADD CONSTRAINT "satisfaction_surveys_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "satisfaction_surveys" ADD CONSTRAINT "satisfaction_surveys_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "satisfaction_surveys" ADD CONSTRAINT "satisfaction_surveys_agent_user_id_users_id_fk" FOREIGN KEY ("agent_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "satisfaction_surveys_open_idx" ON "satisfaction_surveys" USING btree ("thread_id","sent_at") WHERE "satisfaction_surveys"."answered_at" is null;--> statement-breakpoint
CREATE INDEX "satisfaction_surveys_answered_idx" ON "satisfaction_surveys" USING btree ("answered_at") WHERE "satisfaction_surveys"."answered_at" is not null;--> statement-breakpoint
CREATE INDEX "events_thread_activity_idx" ON "events" USING btree ("thread_id","at") WHERE "events"."thread_id" is not null and "events"."type" in ('thread.handoff', 'thread.assigned', 'thread.released', 'thread.closed', 'thread.reopened', 'thread.snoozed', 'thread.woke', 'thread.updated', 'thread.sla_breached', 'thread.survey_answered');--> statement-breakpoint
CREATE INDEX "threads_snooze_idx" ON "threads" USING btree ("snoozed_until") WHERE "threads"."snoozed_at" is not null and "threads"."snoozed_until" is not null;--> statement-breakpoint
CREATE INDEX "threads_sla_first_response_idx" ON "threads" USING btree ("sla_first_response_due_at") WHERE "threads"."sla_first_response_breached_at" is null and "threads"."first_human_reply_at" is null and "threads"."mode" = 'human';--> statement-breakpoint
CREATE INDEX "threads_sla_resolution_idx" ON "threads" USING btree ("sla_resolution_due_at") WHERE "threads"."sla_resolution_breached_at" is null and "threads"."mode" = 'human';--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_sla_minutes_check" CHECK (coalesce("teams"."sla_first_response_minutes", 1) between 1 and 100000 and coalesce("teams"."sla_resolution_minutes", 1) between 1 and 100000);--> statement-breakpoint
-- Webhooks carry thread.sla_breached (a team's SLA target passed unmet) and thread.survey_answered.
CREATE OR REPLACE FUNCTION switchboard_webhook_event_types() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['message.received', 'message.sent', 'message.status', 'message.failed', 'thread.handoff',
    'thread.assigned', 'thread.released', 'thread.closed', 'thread.reopened', 'thread.bot_paused', 'rule.fired',
    'rule.custom_event', 'contact.created', 'contact.updated', 'contact.merged', 'session.status',
    'media.stored', 'media.failed', 'thread.sla_breached', 'thread.survey_answered']::text[]
$$;