import { z } from "zod";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { IDENTITY_KINDS, type TIdentity } from "~/server/contacts/address";
import { listContacts, upsertContactByPhone, ZContactUpsert } from "~/server/contacts/contacts";
import { listIdentitiesOf } from "~/server/contacts/identities";
import { listThreadsPage, ZApiThreadsInput } from "~/server/inbox/list";
import { handOffThreadByApi, releaseThreadByApi } from "~/server/conversations/state";
import { getPublicMessage, listThreadMessages } from "~/server/inbox/thread";
import { sendToNumber, ZSendToNumberInput } from "~/server/messaging/send-to-number";
import { contentOfRow, ZMessageContent } from "~/server/messages/content";
import { sendAsContact } from "~/server/simulator/simulator";
import { ApiAnswer, defineOperation, type TOperation, type TRunContext } from "./operation";

/**
 * The REST API (`/api/v1`): every operation once, with the zod schemas that both validate the
 * request and generate the OpenAPI document (`openapi.ts`). Handlers are thin: they call the
 * same domain functions as the dashboard.
 */

const ZUuid = z.uuid().meta({ example: "0b6f5a0e-8d7e-4a8c-9a6e-2f4f2c1d7b11" });
const ZTime = z.iso.datetime({ offset: true }).meta({ example: "2026-11-22T10:15:00.000Z" });

export const ZApiError = z
  .object({
    error: z.object({
      code: z.enum([
        "bad_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "conflict",
        "unprocessable",
        "unsupported_media_type",
        "payload_too_large",
        "rate_limited",
        "internal",
      ]),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .meta({ id: "Error", description: "Every error: a code and a message a person can read." });

export const ZApiMessage = z
  .object({
    id: ZUuid,
    threadId: ZUuid,
    direction: z.enum(["in", "out"]),
    type: z.string().meta({ description: "The content's kind (`contact` for contact cards)" }),
    body: z.string().meta({ description: "The text, or the content's text stand-in (`[Photo]`, a caption…)" }),
    content: ZMessageContent,
    source: z.enum(["contact", "rule", "ai", "agent", "api", "phone"]),
    status: z.enum(["received", "queued", "sent", "delivered", "read", "failed"]),
    error: z.string().nullable(),
    waMessageId: z.string().nullable(),
    createdAt: ZTime,
    queuedAt: ZTime.nullable(),
    sentAt: ZTime.nullable(),
    deliveredAt: ZTime.nullable(),
    readAt: ZTime.nullable(),
    failedAt: ZTime.nullable(),
  })
  .meta({ id: "Message" });

export const ZApiContact = z
  .object({
    id: ZUuid,
    phone: z.string().meta({
      example: "+14155550123",
      description:
        "The contact's primary address: their number in E.164, or `<digits>@lid` for a contact WhatsApp has told us only by their LID",
    }),
    /** Every WhatsApp identity of the contact (a phone, a LID…), oldest first. */
    identities: z
      .array(
        z.object({
          kind: z.enum(IDENTITY_KINDS),
          value: z.string().meta({ description: "E.164 for a phone; the digits of a LID" }),
        }),
      )
      .meta({ description: "Every WhatsApp identity of the contact (a phone, a LID…), oldest first" }),
    name: z.string().nullable(),
    relationship: z.enum(RELATIONSHIPS),
    priority: z.number().int(),
    tags: z.array(z.string()),
    notes: z.string(),
    optedOut: z.boolean(),
    blocked: z.boolean(),
    lastInteractionAt: ZTime.nullable(),
    createdAt: ZTime,
  })
  .meta({ id: "Contact" });

export const ZApiThread = z
  .object({
    id: ZUuid,
    mode: z.enum(["bot", "human", "closed"]),
    assignedUserId: ZUuid.nullable(),
    lastMessageAt: ZTime.nullable(),
    awaitingSince: ZTime.nullable(),
    sentiment: z.enum(["positive", "neutral", "negative"]).nullable(),
    topics: z.array(z.string()),
    contact: z.object({ id: ZUuid, phone: z.string(), name: z.string().nullable() }),
  })
  .meta({ id: "Thread" });

const ZOwnership = z
  .object({ threadId: ZUuid, mode: z.enum(["bot", "human", "closed"]), assignedUserId: ZUuid.nullable() })
  .meta({ id: "Ownership" });

const ZIdParams = z.object({ id: ZUuid });

function apiActor(context: TRunContext) {
  return { apiKeyId: context.caller.keyId, actor: context.caller.actor };
}

function toApiContact(
  contact: {
    id: string;
    waId: string;
    name: string | null;
    relationship: (typeof RELATIONSHIPS)[number];
    priority: number;
    tags: string[];
    notes?: string;
    optedOut: boolean;
    blocked: boolean;
    lastInteractionAt: Date | null;
    createdAt?: Date;
    firstSeenAt?: Date;
  },
  identities: TIdentity[],
) {
  return {
    id: contact.id,
    phone: contact.waId,
    identities,
    name: contact.name,
    relationship: contact.relationship,
    priority: contact.priority,
    tags: contact.tags,
    notes: contact.notes ?? "",
    optedOut: contact.optedOut,
    blocked: contact.blocked,
    lastInteractionAt: contact.lastInteractionAt,
    createdAt: contact.createdAt ?? contact.firstSeenAt,
  };
}

export const OPERATIONS: TOperation[] = [
  defineOperation({
    method: "post",
    path: "/messages",
    operationId: "sendMessage",
    summary: "Send a message to a number",
    description:
      "Queues a text message through the session's send queue (pacing, retries, statuses). The contact and thread are created when new. Requires an `Idempotency-Key` header: a retry with the same key returns the first answer and sends nothing.",
    tag: "Messages",
    scope: "write",
    body: ZSendToNumberInput,
    idempotent: true,
    status: 202,
    response: z.object({ message: ZApiMessage, contactId: ZUuid, threadId: ZUuid }).meta({ id: "SentMessage" }),
    async handle(context) {
      const result = await sendToNumber(context.tx, await context.boss(), context.body, {
        apiKeyId: context.caller.keyId,
      });
      const { message } = result;
      return {
        message: {
          id: message.id,
          threadId: message.threadId,
          direction: message.direction,
          type: message.type,
          body: message.body,
          content: contentOfRow(message),
          source: message.source,
          status: message.status,
          error: message.error,
          waMessageId: message.waMessageId,
          createdAt: message.createdAt,
          queuedAt: message.queuedAt,
          sentAt: message.sentAt,
          deliveredAt: message.deliveredAt,
          readAt: message.readAt,
          failedAt: message.failedAt,
        },
        contactId: result.contactId,
        threadId: result.threadId,
      };
    },
  }),
  defineOperation({
    method: "get",
    path: "/messages/{id}",
    operationId: "getMessage",
    summary: "A message and its status",
    tag: "Messages",
    scope: "read",
    params: ZIdParams,
    status: 200,
    response: ZApiMessage,
    handle: (context) => getPublicMessage(context.db, context.params.id),
  }),
  defineOperation({
    method: "get",
    path: "/contacts",
    operationId: "listContacts",
    summary: "List contacts",
    description: "Most recent first; pass `next` back as `cursor` for the next page.",
    tag: "Contacts",
    scope: "read",
    query: z.object({
      search: z.string().max(100).optional().meta({ description: "Name, number or tag" }),
      tag: z.string().max(40).optional(),
      cursor: z.string().max(500).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    status: 200,
    response: z.object({ contacts: z.array(ZApiContact), next: z.string().nullable() }).meta({ id: "ContactPage" }),
    async handle(context) {
      const page = await listContacts(context.db, context.query);
      const identities = await listIdentitiesOf(
        context.db,
        page.contacts.map((contact) => contact.id),
      );
      return {
        contacts: page.contacts.map((contact) => toApiContact(contact, identities.get(contact.id) ?? [])),
        next: page.next,
      };
    },
  }),
  defineOperation({
    method: "put",
    path: "/contacts",
    operationId: "upsertContact",
    summary: "Create or update a contact by number",
    description:
      "Only the fields given change; a new number creates the contact. Answers 201 when the contact was created, 200 when an existing one was updated.",
    tag: "Contacts",
    scope: "write",
    body: ZContactUpsert,
    status: 200,
    statusDescription: "Updated: a contact with this number existed",
    otherStatuses: { 201: "Created: the number was new" },
    response: ZApiContact,
    async handle(context) {
      const result = await upsertContactByPhone(context.db, context.caller.actor, context.body);
      const identities = await listIdentitiesOf(context.db, [result.contact.id]);
      return new ApiAnswer(
        result.created ? 201 : 200,
        toApiContact(result.contact, identities.get(result.contact.id) ?? []),
      );
    },
  }),
  defineOperation({
    method: "get",
    path: "/threads",
    operationId: "listThreads",
    summary: "List threads",
    tag: "Threads",
    scope: "read",
    query: ZApiThreadsInput,
    status: 200,
    response: z.object({ threads: z.array(ZApiThread), next: z.string().nullable() }).meta({ id: "ThreadPage" }),
    handle: (context) => listThreadsPage(context.db, context.query),
  }),
  defineOperation({
    method: "get",
    path: "/threads/{id}/messages",
    operationId: "listThreadMessages",
    summary: "A thread's messages, newest first",
    tag: "Threads",
    scope: "read",
    params: ZIdParams,
    query: z.object({
      before: z.coerce.number().int().positive().optional().meta({ description: "The `next` of the previous page" }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    status: 200,
    response: z
      .object({ messages: z.array(ZApiMessage.extend({ seq: z.number().int() })), next: z.number().int().nullable() })
      .meta({ id: "MessagePage" }),
    handle: (context) => listThreadMessages(context.db, context.params.id, context.query),
  }),
  defineOperation({
    method: "post",
    path: "/threads/{id}/handoff",
    operationId: "handOffThread",
    summary: "Hand a thread to a person",
    description: "The bot goes silent; the thread appears in the inbox as needing a human.",
    tag: "Threads",
    scope: "write",
    params: ZIdParams,
    body: z.object({ note: z.string().trim().max(500).nullable().default(null) }).default({ note: null }),
    status: 200,
    response: ZOwnership,
    handle: (context) => handOffThreadByApi(context.db, apiActor(context), context.params.id, context.body.note),
  }),
  defineOperation({
    method: "post",
    path: "/threads/{id}/release",
    operationId: "releaseThread",
    summary: "Give a thread back to the bot",
    tag: "Threads",
    scope: "write",
    params: ZIdParams,
    status: 200,
    response: ZOwnership,
    handle: (context) => releaseThreadByApi(context.db, apiActor(context), context.params.id),
  }),
  defineOperation({
    method: "post",
    path: "/simulator/messages",
    operationId: "simulateInbound",
    summary: "Simulator: a contact writes",
    description:
      "For the built-in simulator session only: delivers a message as if `from` had sent it on WhatsApp (it goes through ingest, rules and replies like a real one).",
    tag: "Simulator",
    scope: "write",
    body: z
      .object({
        from: z.string().trim().min(1).max(40).meta({
          example: "+14155550123",
          description: "The contact's number, read like every other number (E.164, `tel:`, the org's default country)",
        }),
        body: z
          .string()
          .min(1)
          .max(4_096)
          .optional()
          .meta({ description: "A text message (needed without `content`)" }),
        content: ZMessageContent.optional().meta({
          description: "Any kind of message (a photo, a location, a reaction…) as WhatsApp would deliver it",
        }),
        name: z.string().trim().max(120).optional(),
      })
      .superRefine((input, context) => {
        if (!input.content && !input.body) {
          context.addIssue({ code: "custom", path: ["body"], message: "Give a text (`body`) or a `content`" });
        }
      }),
    status: 202,
    response: z.object({ waId: z.string(), waMessageId: z.string() }).meta({ id: "SimulatedMessage" }),
    async handle(context) {
      const { from, body, content, name } = context.body;
      return sendAsContact(context.db, await context.boss(), { phone: from, body, content, name }, "from");
    },
  }),
];
