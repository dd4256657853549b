CREATE TYPE "public"."contact_identity_kind" AS ENUM('phone', 'lid', 'bsuid', 'username');--> statement-breakpoint
CREATE TABLE "contact_identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"kind" "contact_identity_kind" NOT NULL,
	"value" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contact_identities" ADD CONSTRAINT "contact_identities_session_id_wa_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."wa_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_identities" ADD CONSTRAINT "contact_identities_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contact_identities_session_kind_value_key" ON "contact_identities" USING btree ("session_id","kind","value");--> statement-breakpoint
CREATE INDEX "contact_identities_contact_idx" ON "contact_identities" USING btree ("contact_id");--> statement-breakpoint
-- ==== Hand-written (contact identities): keep this block at the end when the migration is renumbered. ====
-- Every existing contact gets the identity of its primary address (all phones today).
INSERT INTO "contact_identities" ("session_id", "contact_id", "kind", "value", "source", "created_at")
SELECT "session_id", "id",
  CASE WHEN "wa_id" LIKE '%@lid' THEN 'lid'::contact_identity_kind ELSE 'phone'::contact_identity_kind END,
  CASE WHEN "wa_id" LIKE '%@lid' THEN left("wa_id", -4) ELSE "wa_id" END,
  'backfill', "first_seen_at"
FROM "contacts"
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- contacts.wa_id is always the address of one of the contact's own identities: a contact written
-- by any path (ingest, the contact form, the import, the seed, a send to a new number) gets the
-- identity of its address here, and an address whose identity belongs to another contact is
-- refused as a unique violation of contact_identities. server/contacts/address.ts reads an
-- address the same way (`identityOfAddress`); keep the two in step.
CREATE OR REPLACE FUNCTION contact_identity_of_wa_id() RETURNS trigger AS $$
DECLARE
  k contact_identity_kind;
  v text;
  holder uuid;
BEGIN
  IF NEW.wa_id LIKE '%@lid' THEN k := 'lid'; v := left(NEW.wa_id, -4);
  ELSIF NEW.wa_id LIKE 'bsuid:%' THEN k := 'bsuid'; v := substr(NEW.wa_id, 7);
  ELSIF NEW.wa_id LIKE 'username:%' THEN k := 'username'; v := substr(NEW.wa_id, 10);
  ELSE k := 'phone'; v := NEW.wa_id;
  END IF;
  INSERT INTO contact_identities (session_id, contact_id, kind, value, source)
  VALUES (NEW.session_id, NEW.id, k, v, 'contact')
  ON CONFLICT (session_id, kind, value) DO NOTHING;
  IF NOT FOUND THEN
    SELECT contact_id INTO holder FROM contact_identities
    WHERE session_id = NEW.session_id AND kind = k AND value = v;
    IF holder IS DISTINCT FROM NEW.id THEN
      RAISE EXCEPTION 'the % identity % belongs to another contact', k, v
        USING ERRCODE = 'unique_violation', CONSTRAINT = 'contact_identities_session_kind_value_key';
    END IF;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER contacts_identity AFTER INSERT OR UPDATE OF wa_id, session_id ON contacts
  FOR EACH ROW EXECUTE FUNCTION contact_identity_of_wa_id();
--> statement-breakpoint
-- Webhooks carry contact.merged (server/webhooks/events.ts WEBHOOK_EVENT_TYPES; a test keeps them equal).
CREATE OR REPLACE FUNCTION switchboard_webhook_event_types() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['message.received', 'message.sent', 'message.status', 'message.failed', 'thread.handoff',
    'thread.assigned', 'thread.released', 'thread.closed', 'thread.reopened', 'thread.bot_paused', 'rule.fired',
    'rule.custom_event', 'contact.created', 'contact.updated', 'contact.merged', 'session.status']::text[]
$$;
