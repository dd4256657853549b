-- Every committed domain event is announced on the 'switchboard_events' channel, whoever wrote
-- it (web or worker), so live views never depend on a code path remembering to notify.
-- The payload is small (ids and type); listeners read details from the tables.
CREATE OR REPLACE FUNCTION switchboard_notify_event() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('switchboard_events', json_build_object(
    'id', NEW.id,
    'type', NEW.type,
    'sessionId', NEW.session_id,
    'contactId', NEW.contact_id,
    'threadId', NEW.thread_id,
    'messageId', NEW.message_id,
    'at', NEW.at
  )::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION switchboard_notify_event();
