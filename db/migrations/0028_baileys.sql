CREATE TABLE "wa_engine_keys" (
	"session_id" uuid NOT NULL,
	"type" text NOT NULL,
	"key_id" text NOT NULL,
	"value" "bytea" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wa_engine_keys_session_id_type_key_id_pk" PRIMARY KEY("session_id","type","key_id")
);
--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "reconnect_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "pairing_phone" text;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "pairing_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "pairing_code" text;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "memory_bytes" bigint;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "memory_scope" text;--> statement-breakpoint
ALTER TABLE "wa_sessions" ADD COLUMN "memory_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wa_engine_keys" ADD CONSTRAINT "wa_engine_keys_session_id_wa_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."wa_sessions"("id") ON DELETE cascade ON UPDATE no action;