-- Events are announced once per INSERT statement instead of once per row: the pipeline writes
-- events in batches, and a per-row trigger cost a pg_notify (and its JSON) for every one.
-- A notification carries a JSON array of up to 20 events (well under NOTIFY's 8000-byte limit);
-- a bigger insert sends several, in order.
CREATE OR REPLACE FUNCTION switchboard_notify_events() RETURNS trigger AS $$
DECLARE
  chunk text;
BEGIN
  FOR chunk IN
    SELECT json_agg(json_build_object(
      'id', e.id,
      'type', e.type,
      'sessionId', e.session_id,
      'contactId', e.contact_id,
      'threadId', e.thread_id,
      'messageId', e.message_id,
      'at', e.at
    ) ORDER BY e.ord)::text
    FROM (SELECT n.*, row_number() OVER () - 1 AS ord FROM new_events n) e
    GROUP BY e.ord / 20
    ORDER BY e.ord / 20
  LOOP
    PERFORM pg_notify('switchboard_events', chunk);
  END LOOP;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS events_notify ON events;
--> statement-breakpoint
DROP FUNCTION IF EXISTS switchboard_notify_event();
--> statement-breakpoint
CREATE TRIGGER events_notify AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION switchboard_notify_events();
