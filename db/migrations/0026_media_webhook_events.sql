-- Webhooks carry media.stored and media.failed (an inbound message's file is in the store, with
-- signed links in the delivered payload; or it failed for good, with why).
CREATE OR REPLACE FUNCTION switchboard_webhook_event_types() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['message.received', 'message.sent', 'message.status', 'message.failed', 'thread.handoff',
    'thread.assigned', 'thread.released', 'thread.closed', 'thread.reopened', 'thread.bot_paused', 'rule.fired',
    'rule.custom_event', 'contact.created', 'contact.updated', 'contact.merged', 'session.status',
    'media.stored', 'media.failed']::text[]
$$;
