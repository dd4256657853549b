CREATE TABLE "wa_engines" (
	"kind" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"capabilities" jsonb NOT NULL,
	"settings" text[] DEFAULT '{}' NOT NULL,
	"controls" text[] DEFAULT '{}' NOT NULL,
	"addable" boolean DEFAULT false NOT NULL,
	"published_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "wa_sessions" ALTER COLUMN "kind" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "wa_sessions" ALTER COLUMN "kind" SET DEFAULT 'simulator';--> statement-breakpoint
DROP TYPE "public"."wa_session_kind";--> statement-breakpoint
-- >>> hand-written: the engines of this version, so the web can list them before a worker
-- has started; each worker publishes its own descriptors on start and replaces these.
INSERT INTO "wa_engines" ("kind", "label", "description", "capabilities", "settings", "controls", "addable") VALUES
	('simulator', 'Simulator', 'The built-in test phone: chat as any contact on the Simulator page and try rules and replies without a real number.',
	 '{"text":true,"media":["image","video","audio","voice","document","sticker","location","contacts"],"reactions":true,"quotedReplies":true,"buttons":true,"templates":true,"presence":false,"readReceipts":true,"pairing":[],"webhookInbound":false,"phoneEcho":false}',
	 '{pacing}', '{}', false),
	('wwebjs', 'WhatsApp Web', 'A WhatsApp number linked by scanning a QR code with its phone, run through WhatsApp Web in the worker''s Chromium.',
	 '{"text":true,"media":[],"reactions":false,"quotedReplies":false,"buttons":false,"templates":false,"presence":true,"readReceipts":true,"pairing":["qr"],"webhookInbound":false,"phoneEcho":true}',
	 '{pacing,presence}', '{restart,logout}', true)
ON CONFLICT ("kind") DO NOTHING;
-- <<< hand-written
