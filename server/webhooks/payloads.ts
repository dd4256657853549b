import { z } from "zod";
import { MESSAGE_DIRECTIONS, MESSAGE_SOURCES, MESSAGE_STATUSES } from "~/db/schema/messages";
import { IDENTITY_KINDS } from "~/db/schema/identities";
import { RELATIONSHIPS } from "~/db/schema/relationship";
import { THREAD_MODES } from "~/db/schema/threads";
import { WA_SESSION_STATUSES } from "~/db/schema/sessions";
import { publicContent, ZPublicMessageContent, type TMediaLinker } from "~/server/media/public-content";
import type { TMessageContent } from "~/server/messages/content";

/**
 * The webhook payloads of version 1, as zod schemas: the one source of their shape.
 *
 * Events are written by many paths (a rule, the inbox, the REST API, the idle handback, the
 * phone), each with the details it knows. `webhookDetails` gives every event of a type the same
 * `details` keys (a detail a path does not know is `null`), so a receiver never sees two shapes
 * of one type; docs/webhooks.md documents these schemas, and a test checks its examples and its
 * table against them, and every path's payloads.
 */

const ZId = z.uuid();
/** An ISO 8601 instant: `Z` in the envelope, Postgres's `+00:00` (with microseconds) in the objects. */
const ZInstant = z.iso.datetime({ offset: true });
const ZMode = z.enum(THREAD_MODES);

export const ZWebhookMessage = z.strictObject({
  id: ZId,
  direction: z.enum(MESSAGE_DIRECTIONS),
  type: z.string(),
  body: z.string(),
  /** A media file's `media` carries signed links made when the delivery is sent (see `withDeliveryLinks`). */
  content: ZPublicMessageContent,
  source: z.enum(MESSAGE_SOURCES),
  status: z.enum(MESSAGE_STATUSES),
  error: z.string().nullable(),
  waMessageId: z.string().nullable(),
  ruleId: ZId.nullable(),
  ruleVersion: z.number().int().nullable(),
  createdAt: ZInstant,
  sentAt: ZInstant.nullable(),
  deliveredAt: ZInstant.nullable(),
  readAt: ZInstant.nullable(),
  failedAt: ZInstant.nullable(),
});

export const ZWebhookContact = z.strictObject({
  id: ZId,
  phone: z.string(),
  name: z.string().nullable(),
  relationship: z.enum(RELATIONSHIPS),
  priority: z.number().int(),
  tags: z.array(z.string()),
  optedOut: z.boolean(),
  blocked: z.boolean(),
});

export const ZWebhookThread = z.strictObject({ id: ZId, mode: ZMode, assignedUserId: ZId.nullable() });

/** Who acted: a user's id, or what acted for the business. */
const ZUserId = ZId;

/** The `details` of each type; every key is always there (null when the path that wrote the event did not know it). */
export const WEBHOOK_DETAILS = {
  "message.received": z.strictObject({ type: z.string(), flags: z.array(z.string()) }),
  "message.sent": z.strictObject({ waMessageId: z.string().nullable(), source: z.literal("phone").nullable() }),
  "message.status": z.strictObject({ status: z.enum(["delivered", "read"]) }),
  "message.failed": z.strictObject({ error: z.string() }),
  "thread.handoff": z.strictObject({
    by: z.enum(["rule", "flow", "api", "phone", "policy", "ai"]),
    ruleId: ZId.nullable(),
    assigneeId: ZUserId.nullable(),
    note: z.string().nullable(),
    from: ZMode.nullable(),
    apiKeyId: ZId.nullable(),
    /** For `policy`: which policy handed it off (the reply cap); for `ai`: `knowledge_gap` (nothing in the knowledge base answers). */
    reason: z.enum(["reply_cap", "knowledge_gap"]).nullable(),
    /** The team whose queue it went to (null: the shared queue). */
    teamId: ZId.nullable(),
    /** For `flow`: the flow, its run and the variables it collected. */
    flow: z
      .strictObject({
        flowId: ZId,
        runId: ZId,
        variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
      })
      .nullable(),
  }),
  "thread.assigned": z.strictObject({
    /** A user's id, or `policy`: a team's auto-assignment. */
    by: z.union([ZUserId, z.literal("policy")]),
    assigneeId: ZUserId,
    from: ZMode,
    takeover: z.boolean(),
    /** For `policy`: the team whose queue it came from. */
    teamId: ZId.nullable(),
  }),
  "thread.released": z.strictObject({
    by: z.union([ZUserId, z.enum(["api", "policy"])]),
    from: ZMode.nullable(),
    note: z.string().nullable(),
    previousAssigneeId: ZUserId.nullable(),
    apiKeyId: ZId.nullable(),
  }),
  "thread.closed": z.strictObject({ by: ZUserId, from: ZMode.nullable() }),
  "thread.bot_paused": z.strictObject({
    reason: z.literal("reply_cap"),
    limit: z.number().int(),
    windowMinutes: z.number().int(),
    action: z.enum(["quiet", "handoff"]),
    until: ZInstant.nullable(),
  }),
  "thread.reopened": z.strictObject({ by: ZUserId }),
  /** A team's SLA target passed unmet (recorded once per target and hand-off). */
  "thread.sla_breached": z.strictObject({
    target: z.enum(["first_response", "resolution"]),
    teamId: ZId,
    dueAt: ZInstant,
    assigneeId: ZUserId.nullable(),
  }),
  /** The contact answered the satisfaction survey sent when the conversation was closed. */
  "thread.survey_answered": z.strictObject({
    score: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    teamId: ZId.nullable(),
    agentId: ZUserId.nullable(),
  }),
  "rule.fired": z.strictObject({ ruleId: ZId, rule: z.string(), version: z.number().int() }),
  "rule.custom_event": z.strictObject({
    ruleId: ZId,
    name: z.string(),
    data: z.record(z.string(), z.string()),
  }),
  "contact.created": z.strictObject({
    by: z.union([ZUserId, z.literal("import")]).nullable(),
    fileName: z.string().nullable(),
  }),
  "contact.updated": z.strictObject({
    by: z.union([ZUserId, z.enum(["import", "rule", "keyword"])]).nullable(),
    changes: z
      .strictObject({
        tagged: z.array(z.string()).optional(),
        untagged: z.array(z.string()).optional(),
        profileId: ZId.optional(),
        relationship: z.enum(RELATIONSHIPS).optional(),
        optedOut: z.literal(true).optional(),
      })
      .nullable(),
    fileName: z.string().nullable(),
  }),
  "contact.merged": z.strictObject({
    /** A user who merged by hand; `engine` when WhatsApp reported the two as one; `message` when a message named both. */
    by: z.union([ZUserId, z.enum(["engine", "message"])]),
    /** The contact that is gone (its conversation, identities and fields are now `contact`'s). */
    mergedContactId: ZId,
    /** The identities that moved to `contact`. */
    identities: z.array(z.strictObject({ kind: z.enum(IDENTITY_KINDS), value: z.string() })),
    /** How many messages moved into `contact`'s conversation. */
    messages: z.number().int(),
  }),
  "session.status": z.strictObject({
    status: z.enum(WA_SESSION_STATUSES),
    previous: z.enum(WA_SESSION_STATUSES).nullable(),
    reason: z.string().nullable(),
    state: z.string().nullable(),
    phone: z.string().nullable(),
  }),
  /** An inbound message's file is in the store: `data.message.content.media` has its links. */
  "media.stored": z.strictObject({
    kind: z.string(),
    sha256: z.string(),
    /** The real type, found from the content. */
    mimeType: z.string(),
    size: z.number().int(),
  }),
  /** An inbound message's file could not be stored, for good: why (`media.error`'s codes), and the detail in English. */
  "media.failed": z.strictObject({ kind: z.string(), error: z.string(), detail: z.string() }),
  "webhook.test": z.strictObject({ message: z.string(), sentBy: z.string() }),
} as const;

export type TWebhookPayloadType = keyof typeof WEBHOOK_DETAILS;

type TPresence = "required" | "optional";
/** Which of message, contact and thread `data` carries for each type (optional: when the event has one). */
export const WEBHOOK_OBJECTS: Record<
  TWebhookPayloadType,
  Partial<Record<"message" | "contact" | "thread", TPresence>>
> = {
  "message.received": { message: "required", contact: "required", thread: "required" },
  "message.sent": { message: "required", contact: "required", thread: "required" },
  "message.status": { message: "required", contact: "required", thread: "required" },
  "message.failed": { message: "required", contact: "required", thread: "required" },
  "thread.handoff": { message: "optional", contact: "required", thread: "required" },
  "thread.assigned": { contact: "required", thread: "required" },
  "thread.released": { contact: "required", thread: "required" },
  "thread.closed": { contact: "required", thread: "required" },
  "thread.reopened": { contact: "required", thread: "required" },
  "thread.sla_breached": { contact: "required", thread: "required" },
  "thread.survey_answered": { contact: "required", thread: "required" },
  "thread.bot_paused": { message: "required", contact: "required", thread: "required" },
  "rule.fired": { message: "required", contact: "required", thread: "required" },
  "rule.custom_event": { message: "required", contact: "required", thread: "required" },
  "contact.created": { contact: "required" },
  "contact.updated": { message: "optional", contact: "required", thread: "optional" },
  "contact.merged": { contact: "required", thread: "optional" },
  "session.status": {},
  "media.stored": { message: "required", contact: "required", thread: "required" },
  "media.failed": { message: "required", contact: "required", thread: "required" },
  "webhook.test": {},
};

const OBJECT_SCHEMAS = { message: ZWebhookMessage, contact: ZWebhookContact, thread: ZWebhookThread };

function payloadSchema<T extends TWebhookPayloadType>(type: T) {
  const objects = Object.fromEntries(
    Object.entries(WEBHOOK_OBJECTS[type]).map(([name, presence]) => {
      const schema = OBJECT_SCHEMAS[name as keyof typeof OBJECT_SCHEMAS];
      return [name, presence === "required" ? schema : schema.optional()];
    }),
  );
  return z.strictObject({
    id: ZId,
    type: z.literal(type),
    version: z.literal(1),
    timestamp: ZInstant,
    data: z.strictObject({ sessionId: ZId.nullable(), ...objects, details: WEBHOOK_DETAILS[type] }),
  });
}

/** A whole webhook body of version 1, whatever its type. */
export const ZWebhookPayload = z.discriminatedUnion(
  "type",
  (Object.keys(WEBHOOK_DETAILS) as TWebhookPayloadType[]).map((type) => payloadSchema(type)) as unknown as [
    ReturnType<typeof payloadSchema>,
    ...ReturnType<typeof payloadSchema>[],
  ],
);

/** Rules and flows run only while a thread is the bot's, so their hand-offs are always from `bot`. */
const INFERRED: Partial<Record<TWebhookPayloadType, (payload: Record<string, unknown>) => Record<string, unknown>>> = {
  "thread.handoff": (payload) =>
    payload.by === "rule" || payload.by === "flow" || payload.by === "policy" ? { from: "bot" } : {},
  "thread.assigned": () => ({ takeover: false }),
};

/**
 * An event's stored payload as the `details` of its type: every documented key, in the
 * documented order, `null` for what the writing path did not record (`false` for a flag), and
 * nothing else. Types without a schema pass through unchanged.
 */
export function webhookDetails(type: string, payload: Record<string, unknown>): Record<string, unknown> {
  const schema = WEBHOOK_DETAILS[type as TWebhookPayloadType] as z.ZodObject | undefined;
  if (!schema) return payload;
  const inferred = INFERRED[type as TWebhookPayloadType]?.(payload) ?? {};
  return Object.fromEntries(Object.keys(schema.shape).map((key) => [key, payload[key] ?? inferred[key] ?? null]));
}

/**
 * A payload as it is delivered: the stored payload (fixed once per event, at dispatch) with
 * signed, expiring links added to its message's media NOW, at each attempt, so a retry hours
 * later still carries links that work. Without a linker (no public address configured), each
 * media reference says `url: null` and `linkUnavailable: "no_public_url"`.
 */
export function withDeliveryLinks<T>(payload: T, linker: TMediaLinker | null): T {
  const data = (payload as { data?: { message?: { content?: TMessageContent } } } | null)?.data;
  const content = data?.message?.content;
  if (!data || !content || typeof content !== "object" || !("media" in content) || !content.media) return payload;
  return {
    ...payload,
    data: { ...data, message: { ...data.message, content: publicContent(content, linker) } },
  };
}
