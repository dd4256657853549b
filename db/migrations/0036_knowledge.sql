CREATE TYPE "public"."knowledge_source_kind" AS ENUM('text', 'file', 'qa', 'url');--> statement-breakpoint
CREATE TYPE "public"."knowledge_source_status" AS ENUM('pending', 'indexing', 'indexed', 'failed');--> statement-breakpoint
CREATE TABLE "ai_tools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"parameters" jsonb DEFAULT '{"type":"object","properties":{}}'::jsonb NOT NULL,
	"method" text DEFAULT 'GET' NOT NULL,
	"url" text NOT NULL,
	"headers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"timeout_ms" integer DEFAULT 5000 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_tools_name_check" CHECK ("ai_tools"."name" ~ '^[a-z][a-z0-9_]{0,63}$'),
	CONSTRAINT "ai_tools_timeout_check" CHECK ("ai_tools"."timeout_ms" between 100 and 30000)
);
--> statement-breakpoint
CREATE TABLE "ai_usage_daily" (
	"day" date NOT NULL,
	"profile_id" uuid,
	"model" text NOT NULL,
	"purpose" text NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eval_questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"question" text NOT NULL,
	"must_contain" text[] DEFAULT '{}'::text[] NOT NULL,
	"must_not_contain" text[] DEFAULT '{}'::text[] NOT NULL,
	"expect_handoff" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eval_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"passed" integer DEFAULT 0 NOT NULL,
	"score" real,
	"results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"started_by" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "knowledge_collections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"language" "regconfig" DEFAULT 'simple' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_collections_language_check" CHECK ("knowledge_collections"."language"::text in ('simple', 'english', 'spanish', 'portuguese', 'french', 'german', 'italian', 'dutch'))
);
--> statement-breakpoint
CREATE TABLE "knowledge_passages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source_id" uuid NOT NULL,
	"collection_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"body" text NOT NULL,
	"language" "regconfig" DEFAULT 'simple' NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector(language, coalesce(title, '')), 'A') || setweight(to_tsvector(language, body), 'B')) STORED,
	"embedding" real[],
	"embedding_model" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"collection_id" uuid NOT NULL,
	"kind" "knowledge_source_kind" NOT NULL,
	"title" text NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"media_sha256" text,
	"file_name" text,
	"mime_type" text,
	"url" text,
	"refresh_hours" integer,
	"next_fetch_at" timestamp with time zone,
	"size_bytes" bigint DEFAULT 0 NOT NULL,
	"content_hash" text,
	"status" "knowledge_source_status" DEFAULT 'pending' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"error" text,
	"passage_count" integer DEFAULT 0 NOT NULL,
	"indexed_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_sources_progress_check" CHECK ("knowledge_sources"."progress" between 0 and 100),
	CONSTRAINT "knowledge_sources_refresh_check" CHECK (coalesce("knowledge_sources"."refresh_hours", 1) between 1 and 8760)
);
--> statement-breakpoint
CREATE TABLE "profile_collections" (
	"profile_id" uuid NOT NULL,
	"collection_id" uuid NOT NULL,
	CONSTRAINT "profile_collections_profile_id_collection_id_pk" PRIMARY KEY("profile_id","collection_id")
);
--> statement-breakpoint
CREATE TABLE "profile_tools" (
	"profile_id" uuid NOT NULL,
	"tool_id" uuid NOT NULL,
	CONSTRAINT "profile_tools_profile_id_tool_id_pk" PRIMARY KEY("profile_id","tool_id")
);
--> statement-breakpoint
ALTER TABLE "context_profiles" ADD COLUMN "knowledge_only" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "context_profiles" ADD COLUMN "cite_sources" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_usage_daily" ADD CONSTRAINT "ai_usage_daily_profile_id_context_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."context_profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_questions" ADD CONSTRAINT "eval_questions_profile_id_context_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."context_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_runs" ADD CONSTRAINT "eval_runs_profile_id_context_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."context_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_runs" ADD CONSTRAINT "eval_runs_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_passages" ADD CONSTRAINT "knowledge_passages_source_id_knowledge_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."knowledge_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_passages" ADD CONSTRAINT "knowledge_passages_collection_id_knowledge_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."knowledge_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_sources" ADD CONSTRAINT "knowledge_sources_collection_id_knowledge_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."knowledge_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_sources" ADD CONSTRAINT "knowledge_sources_media_sha256_media_objects_sha256_fk" FOREIGN KEY ("media_sha256") REFERENCES "public"."media_objects"("sha256") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_sources" ADD CONSTRAINT "knowledge_sources_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_collections" ADD CONSTRAINT "profile_collections_profile_id_context_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."context_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_collections" ADD CONSTRAINT "profile_collections_collection_id_knowledge_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."knowledge_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_tools" ADD CONSTRAINT "profile_tools_profile_id_context_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."context_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_tools" ADD CONSTRAINT "profile_tools_tool_id_ai_tools_id_fk" FOREIGN KEY ("tool_id") REFERENCES "public"."ai_tools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ai_tools_name_key" ON "ai_tools" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "ai_usage_daily_key" ON "ai_usage_daily" USING btree ("day",coalesce("profile_id", '00000000-0000-0000-0000-000000000000'::uuid),"model","purpose");--> statement-breakpoint
CREATE INDEX "eval_questions_profile_idx" ON "eval_questions" USING btree ("profile_id","position");--> statement-breakpoint
CREATE INDEX "eval_runs_profile_idx" ON "eval_runs" USING btree ("profile_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_collections_name_lower_key" ON "knowledge_collections" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "knowledge_passages_search_idx" ON "knowledge_passages" USING gin ("search");--> statement-breakpoint
CREATE INDEX "knowledge_passages_collection_idx" ON "knowledge_passages" USING btree ("collection_id");--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_passages_source_position_key" ON "knowledge_passages" USING btree ("source_id","position");--> statement-breakpoint
CREATE INDEX "knowledge_sources_collection_idx" ON "knowledge_sources" USING btree ("collection_id");--> statement-breakpoint
CREATE INDEX "knowledge_sources_next_fetch_idx" ON "knowledge_sources" USING btree ("next_fetch_at") WHERE "knowledge_sources"."next_fetch_at" is not null;--> statement-breakpoint
CREATE INDEX "profile_collections_collection_idx" ON "profile_collections" USING btree ("collection_id");--> statement-breakpoint
CREATE INDEX "profile_tools_tool_idx" ON "profile_tools" USING btree ("tool_id");