CREATE INDEX "events_message_idx" ON "events" USING btree ("message_id") WHERE "events"."message_id" is not null;--> statement-breakpoint
CREATE INDEX "events_contact_idx" ON "events" USING btree ("contact_id") WHERE "events"."contact_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_media_key_idx" ON "messages" USING btree (("content" -> 'media' ->> 'storageKey')) WHERE ("messages"."content" -> 'media' ->> 'storageKey') is not null;--> statement-breakpoint
CREATE INDEX "messages_media_thumb_idx" ON "messages" USING btree (("content" -> 'media' ->> 'thumbKey')) WHERE ("messages"."content" -> 'media' ->> 'thumbKey') is not null;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event_idx" ON "webhook_deliveries" USING btree ("event_id");