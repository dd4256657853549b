CREATE TABLE "simulator_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"to_wa_id" text NOT NULL,
	"wa_message_id" text NOT NULL,
	"client_ref" text NOT NULL,
	"body" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "threads_contact_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "messages_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "reply_to_message_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "flags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "processed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "simulator_deliveries" ADD CONSTRAINT "simulator_deliveries_session_id_wa_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."wa_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "simulator_deliveries_wa_message_id_key" ON "simulator_deliveries" USING btree ("wa_message_id");--> statement-breakpoint
CREATE INDEX "simulator_deliveries_client_ref_idx" ON "simulator_deliveries" USING btree ("client_ref");--> statement-breakpoint
CREATE INDEX "messages_thread_queued_seq_idx" ON "messages" USING btree ("thread_id","seq") WHERE "messages"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "messages_failed_idx" ON "messages" USING btree ("failed_at") WHERE "messages"."status" = 'failed';--> statement-breakpoint
CREATE UNIQUE INDEX "threads_contact_key" ON "threads" USING btree ("contact_id");