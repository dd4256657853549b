import { z } from "zod";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { IDENTITY_KINDS, type TIdentity } from "~/server/contacts/address";
import { listContacts, upsertContactByPhone, ZContactUpsert } from "~/server/contacts/contacts";
import { FIELD_KEY } from "~/server/contacts/fields";
import { listIdentitiesOf } from "~/server/contacts/identities";
import { listThreadsPage, ZApiThreadsInput } from "~/server/inbox/list";
import { handOffThreadByApi, releaseThreadByApi } from "~/server/conversations/state";
import { getPublicMessage, listThreadMessages } from "~/server/inbox/thread";
import { templateContentFor, ZTemplateChoice } from "~/server/inbox/templates";
import { sendToNumber, ZSendToNumberInput } from "~/server/messaging/send-to-number";
import { publicContent, ZPublicMessageContent, type TMediaLinker } from "~/server/media/public-content";
import { contentOfRow, MEDIA_KINDS, textOf, ZMessageContent, type TMessageContent } from "~/server/messages/content";
import { startFlowInConversation } from "~/server/conversations/flow";
import { ZVariableName } from "~/server/flows/definition";
import { sendAsContact } from "~/server/simulator/simulator";
import { findDefaultSessionId } from "~/server/contacts/contacts";
import { AppError } from "~/server/errors";
import {
  cancelScheduledMessage,
  getScheduledMessage,
  SCHEDULE_MAX_DAYS,
  scheduleToNumber,
  type TScheduledView,
} from "~/server/scheduled/scheduled";
import { contentOfStoredMedia, describeStoredMedia, sendFieldsWithFile } from "./media";
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
    content: ZPublicMessageContent,
    source: z.enum(["contact", "rule", "ai", "agent", "api", "phone", "flow"]),
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
    optedOutAt: ZTime.nullable().meta({ description: "When the contact opted out (null: not opted out)" }),
    optedInAt: ZTime.nullable().meta({
      description: "When the contact agreed to messages the business starts (null: no opt-in recorded)",
    }),
    optInSource: z
      .string()
      .nullable()
      .meta({ description: "How the opt-in was recorded: `agent`, `import`, `api`, `keyword` or `form`" }),
    blocked: z.boolean(),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).meta({
      example: { plan: "Gold", renewal: "2026-03-01", seats: 12, vip: true },
      description:
        "The contact's custom field values by key (Settings → Contact fields): text and choices as text, numbers as numbers, dates as `YYYY-MM-DD`, yes/no as booleans. A field without a value is absent",
    }),
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

const ZMediaKind = z.enum(MEDIA_KINDS).meta({
  description:
    "How to send the file (default: from its content: image, video, audio, or document for anything else). A PDF or any other file may go as a `document`; `image` and `sticker` need a picture, `video` a video, `audio` and `voice` a sound.",
});
const ZFileName = z.string().trim().min(1, "Give the file's name").max(500, "At most 500 characters");

const ZMediaById = z
  .object({
    id: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "Not a file id (64 lower-case hex digits)")
      .meta({ description: "The `id` of a file uploaded before through `POST /media` (its SHA-256)" }),
    kind: ZMediaKind.optional(),
    fileName: ZFileName.optional().meta({ description: "The name the contact sees (documents)" }),
  })
  .meta({ id: "MediaById", description: "A file uploaded before, by its id" });

const ZMediaByUrl = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "Give an http(s) URL" })
      .max(2_048, "At most 2,048 characters")
      .meta({
        description:
          "Fetched once by this request (at most 3 redirects, each checked; private and loopback addresses refused; 60 s for the whole download), its content checked and stored; its Content-Type is only a claim",
        example: "https://example.com/invoices/1042.pdf",
      }),
    kind: ZMediaKind.optional(),
    fileName: ZFileName.optional().meta({ description: "The name the contact sees (default: from the URL's answer)" }),
  })
  .meta({ id: "MediaByUrl", description: "A file to fetch from a URL" });

const ZApiTemplateSend = z
  .object({
    name: ZTemplateChoice.shape.name.meta({
      description: "The template's name, as in Meta's WhatsApp Manager",
      example: "order_update",
    }),
    language: ZTemplateChoice.shape.language.meta({ description: "Its language code", example: "en_US" }),
    values: ZTemplateChoice.shape.values.meta({
      description:
        "The values of its variables, each list in order (`{{1}}`, `{{2}}`…): `header` (a text header's variable), `body`, and `buttons` by button index (`\"0\"`): a URL button's variable part, a copy-code button's code, a quick reply's payload",
      example: { header: ["1042"], body: ["Ana", "1042"], buttons: { "0": "1042" } },
    }),
    headerMedia: z
      .object({
        id: ZMediaById.shape.id,
        fileName: ZFileName.optional().meta({ description: "The name the contact sees (documents)" }),
      })
      .optional()
      .meta({
        description:
          "The file of a template whose header is an image, video or document: a file uploaded before with `POST /media`",
      }),
  })
  .meta({
    id: "TemplateSend",
    description:
      "One of the number's approved templates (synced from Meta), its variables filled in: the only message that reaches a contact outside the 24-hour window on the Cloud API",
  });

/** A send's body: a text, a file (by upload, URL or id) with an optional caption, or a template. */
const ZApiSendInput = z
  .object({
    to: ZSendToNumberInput.shape.to.meta({
      example: "+14155550123",
      description: "The number, read like every other number (E.164, `tel:`, the org's default country)",
    }),
    sessionId: ZSendToNumberInput.shape.sessionId.meta({
      description: "The WhatsApp session to send from (default: the first one)",
    }),
    body: z
      .string()
      .trim()
      .min(1, "The message is empty")
      .max(4_096, "At most 4,096 characters")
      .optional()
      .meta({ description: "A text message (needed without `media`)" }),
    media: z.union([ZMediaById, ZMediaByUrl]).optional().meta({ description: "A file to send, by id or by URL" }),
    template: ZApiTemplateSend.optional(),
    caption: z
      .string()
      .trim()
      .max(4_096, "At most 4,096 characters")
      .optional()
      .meta({ description: "The text under a file" }),
    sendAt: z.iso
      .datetime({ offset: true, error: "Give the time to send at as an ISO date and time." })
      .optional()
      .meta({
        example: "2026-11-22T10:15:00.000Z",
        description: `Schedule it instead of sending now: when to send (in the future, at most ${SCHEDULE_MAX_DAYS} days ahead). Answers the scheduled message.`,
      }),
    expiresAt: z.iso.datetime({ offset: true, error: "Give the expiry as an ISO date and time." }).optional().meta({
      example: "2026-11-22T10:20:00.000Z",
      description:
        "With `sendAt`, a one-time code's expiry (after `sendAt`): not sent at all once it has passed, even when the number was down and the send waited",
    }),
  })
  .superRefine((input, context) => {
    if (input.expiresAt !== undefined && input.sendAt === undefined)
      context.addIssue({ code: "custom", path: ["expiresAt"], message: "An expiry needs a time to send at (sendAt)." });
    if (input.template) {
      for (const field of ["body", "media", "caption"] as const)
        if (input[field] !== undefined)
          context.addIssue({
            code: "custom",
            path: [field],
            message: "A template goes alone: leave out body, media and caption",
          });
      return;
    }
    if (!input.media && input.body === undefined) {
      context.addIssue({ code: "custom", path: ["body"], message: "Give a text (`body`) or a file (`media`)" });
    }
    if (input.media && input.body !== undefined) {
      context.addIssue({ code: "custom", path: ["body"], message: "Put the text that goes with a file in `caption`" });
    }
    if (!input.media && input.caption !== undefined) {
      context.addIssue({ code: "custom", path: ["caption"], message: "A caption goes with a file (`media`)" });
    }
  })
  .meta({ id: "SendMessageInput" });

/** The multipart form of a send: these text fields first, then the file part `file`. */
const ZApiSendFields = z.object({
  to: z.string().meta({ description: "The number to send to" }),
  sessionId: z.string().optional().meta({ description: "The WhatsApp session to send from" }),
  caption: z.string().optional().meta({ description: "The text under the file" }),
  kind: z
    .enum([...MEDIA_KINDS, "auto"])
    .optional()
    .meta({ description: "How to send the file (default `auto`: from its content)" }),
  fileName: z.string().optional().meta({ description: "The name the contact sees (default: the part's filename)" }),
});

const ZApiMediaUpload = z
  .object({
    id: z.string().meta({ description: "The file's id (its SHA-256): send it with `media: { id }`" }),
    kind: z.enum(MEDIA_KINDS).meta({ description: "How it would be sent by default (from its content)" }),
    mimeType: z.string().meta({ description: "Its real type, found from its content", example: "application/pdf" }),
    size: z.number().int().meta({ description: "Bytes" }),
    fileName: z.string().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
  })
  .meta({ id: "UploadedMedia" });

/** A scheduled message as the API answers it. */
export const ZApiScheduledMessage = z
  .object({
    id: ZUuid,
    threadId: ZUuid,
    contactId: ZUuid,
    sessionId: ZUuid,
    body: z.string(),
    state: z.enum(["scheduled", "sent", "cancelled", "expired", "failed"]).meta({
      description:
        "`scheduled` until its time; then `sent` (queued: follow `messageId` for its delivery), `expired` (its expiry passed before it went, also after it was queued while the number was down), `failed` (`reason`: the contact was blocked or opted out, the window closed) or `cancelled`",
    }),
    sendAt: ZTime,
    expiresAt: ZTime.nullable(),
    messageId: ZUuid.nullable().meta({ description: "The message it became, once queued" }),
    reason: z.string().nullable(),
    createdAt: ZTime,
  })
  .meta({ id: "ScheduledMessage" });

function toApiScheduled(view: TScheduledView) {
  return {
    ...view,
    sendAt: view.sendAt.toISOString(),
    expiresAt: view.expiresAt?.toISOString() ?? null,
    createdAt: view.createdAt.toISOString(),
  };
}

/** A stored message as the API answers it, its media with signed links. */
function toApiMessage<T extends { content: TMessageContent }>(message: T, linker: TMediaLinker | null) {
  return { ...message, content: publicContent(message.content, linker) };
}

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
    optedOutAt: Date | null;
    optedInAt: Date | null;
    optInSource: string | null;
    blocked: boolean;
    fields?: Record<string, string | number | boolean>;
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
    optedOutAt: contact.optedOutAt,
    optedInAt: contact.optedInAt,
    optInSource: contact.optInSource,
    blocked: contact.blocked,
    fields: contact.fields ?? {},
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
    description: [
      "Queues a message through the session's send queue (pacing, retries, statuses). The contact and thread are created when new. Requires an `Idempotency-Key` header: a retry with the same key returns the first answer and sends nothing (and stores no second file).",
      "",
      "**A text**: JSON `{ to, body }`.",
      "",
      "**A file** (photo, video, audio, voice note, document, sticker), with an optional `caption`, three ways:",
      "- *by upload*: `multipart/form-data` with the text fields `to`, `sessionId`, `caption`, `kind`, `fileName` FIRST, then ONE file part named `file` (fields after the file are refused, so the file streams straight into the store);",
      "- *by URL*: JSON `media: { url, kind?, fileName? }`: fetched by this request (http(s) only, at most 3 redirects, private and loopback addresses refused, one deadline for the download);",
      "- *by id*: JSON `media: { id }` of a file uploaded before with `POST /media` (upload once, send many).",
      "",
      "The file's real type is found from its content (its name and claimed type are only claims): a file whose content contradicts `kind` (a PDF as an `image`), or that WhatsApp cannot send, is refused with 415; one over the kind's size limit (images 5 MB, audio and video 16 MB, documents 100 MB, or the server's lower `MEDIA_MAX_*_MB`) with 413; a URL that cannot be fetched with 422 (unreachable, an HTTP error there, too slow) or 400 (refused address). Each says what went wrong in `error.message`.",
      "",
      "**A template** (numbers of an engine that sends templates, the Cloud API): JSON `template: { name, language, values?, headerMedia? }`, alone (no `body`, `media` or `caption`). A template that is not approved, a variable without its value or a missing header file is refused with 400 naming it; an unknown template with 404; a number whose engine sends no templates with 400.",
      "",
      "**Scheduled** (and one-time codes): add `sendAt` (ISO time, in the future, at most 30 days ahead) to send it then instead: the answer (still 202) is `{ scheduled, contactId, threadId }`, the scheduled message with its `id` (read it with `GET /scheduled-messages/{id}`, cancel it with `POST /scheduled-messages/{id}/cancel`). `expiresAt` (after `sendAt`) makes it a one-time code: once the expiry has passed it is never sent (marked `expired`), even when it was already queued and the number was down. The 24-hour window is checked when it goes. A time that has passed, an expiry before `sendAt` or an unreadable time is refused with 400 naming the field.",
      "",
      "**The 24-hour window**: on the Cloud API a business may write freely only within 24 hours of the contact's last message. Outside it (or to a contact who never wrote) anything but a template is refused with 409 `conflict`, its `error.message` saying when the window closed and that only an approved template can reach the contact.",
    ].join("\n"),
    tag: "Messages",
    scope: "write",
    body: ZApiSendInput,
    media: { shape: sendFieldsWithFile, fields: ZApiSendFields, url: true },
    idempotent: true,
    status: 202,
    errors: {
      "400":
        "The request is not valid (`error.fields` names each problem); or the template is not approved, lacks a variable's value or its header file; or the number's engine sends no templates",
      "404":
        "No such template (name and language) on the number, no such session, or no such file (`media.id`, `template.headerMedia.id`)",
      "409":
        "The contact is blocked or opted out; or, on an engine with the 24-hour window (the Cloud API), the window is closed (or was never opened) and the message is not a template: `error.message` says when it closed and that a template is needed",
    },
    response: z.union([
      z.object({ message: ZApiMessage, contactId: ZUuid, threadId: ZUuid }).meta({ id: "SentMessage" }),
      z
        .object({ scheduled: ZApiScheduledMessage, contactId: ZUuid, threadId: ZUuid })
        .meta({ id: "ScheduledSend", description: "With `sendAt`: the message scheduled" }),
    ]),
    async handle(context) {
      const { media, body, caption, to, sessionId, template, sendAt, expiresAt } = context.body;
      let content: TMessageContent | undefined;
      if (template) {
        const from = sessionId ?? (await findDefaultSessionId(context.tx));
        if (!from) throw new AppError("CONFLICT", "There is no WhatsApp session to send from yet.");
        content = await templateContentFor(
          context.tx,
          from,
          template,
          template.headerMedia
            ? {
                sha256: template.headerMedia.id,
                ...(template.headerMedia.fileName ? { fileName: template.headerMedia.fileName } : {}),
              }
            : undefined,
        );
      } else if (media) {
        // The handler resolves a URL into a stored file before the body reaches here.
        if (!("id" in media)) throw new Error("sendMessage: a media URL reached the handler unresolved");
        const from = sessionId ?? (await findDefaultSessionId(context.tx));
        if (!from) throw new AppError("CONFLICT", "There is no WhatsApp session to send from yet.");
        content = await contentOfStoredMedia(context.tx, {
          sha256: media.id,
          kind: media.kind,
          fileName: media.fileName,
          caption: caption || undefined,
          sessionId: from,
        });
      }
      if (sendAt !== undefined) {
        const scheduled = await scheduleToNumber(
          context.tx,
          await context.boss(),
          {
            to,
            sessionId,
            body: content ? textOf(content) : (body ?? ""),
            sendAt: new Date(sendAt),
            expiresAt: expiresAt === undefined ? null : new Date(expiresAt),
          },
          { apiKeyId: context.caller.keyId },
          content,
        );
        return { ...scheduled, scheduled: toApiScheduled(scheduled.scheduled) };
      }
      const result = await sendToNumber(
        context.tx,
        await context.boss(),
        { to, sessionId, body: content ? textOf(content) : (body ?? "") },
        { apiKeyId: context.caller.keyId },
        content,
      );
      const { message } = result;
      return {
        message: toApiMessage(
          {
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
          context.linker,
        ),
        contactId: result.contactId,
        threadId: result.threadId,
      };
    },
  }),
  defineOperation({
    method: "post",
    path: "/media",
    operationId: "uploadMedia",
    summary: "Upload a file to send later",
    description:
      "Stores a file once, to send many times with `POST /messages` and `media: { id }`. Send it as `multipart/form-data` with ONE file part named `file` (an optional `kind` text field before it checks that the file fits that kind). Its real type is found from its content; a file over the kind's size limit is refused with 413, one WhatsApp cannot send (or that contradicts `kind`) with 415. Uploading the same bytes again gives the same `id`.",
    tag: "Messages",
    scope: "write",
    body: z.object({ media: ZMediaById }),
    media: {
      shape: (_fields, file) => ({
        media: { id: file.sha256, kind: file.requestedKind ?? file.kind, fileName: file.fileName },
      }),
      fields: z.object({
        kind: z
          .enum([...MEDIA_KINDS, "auto"])
          .optional()
          .meta({ description: "The kind the file must fit (default `auto`)" }),
      }),
      multipartOnly: true,
    },
    status: 201,
    statusDescription: "Stored (or was already)",
    response: ZApiMediaUpload,
    async handle(context) {
      const { id, kind, fileName } = context.body.media;
      const file = await describeStoredMedia(context.db, id, kind);
      return {
        id,
        kind: file.kind,
        mimeType: file.mimeType,
        size: file.size,
        fileName: fileName ?? null,
        width: file.width,
        height: file.height,
      };
    },
  }),
  defineOperation({
    method: "get",
    path: "/scheduled-messages/{id}",
    operationId: "getScheduledMessage",
    summary: "A scheduled message and its state",
    tag: "Messages",
    scope: "read",
    params: ZIdParams,
    status: 200,
    response: ZApiScheduledMessage,
    handle: async (context) => toApiScheduled(await getScheduledMessage(context.db, context.params.id)),
  }),
  defineOperation({
    method: "post",
    path: "/scheduled-messages/{id}/cancel",
    operationId: "cancelScheduledMessage",
    summary: "Cancel a scheduled message",
    description: "Only while it is `scheduled`: one already sent, expired, failed or cancelled is refused with 409.",
    tag: "Messages",
    scope: "write",
    params: ZIdParams,
    status: 200,
    errors: { "409": "The message is no longer scheduled (`error.message` says its state)" },
    response: ZApiScheduledMessage,
    handle: async (context) => toApiScheduled(await cancelScheduledMessage(context.db, context.params.id)),
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
    handle: async (context) => toApiMessage(await getPublicMessage(context.db, context.params.id), context.linker),
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
      fieldKey: z
        .string()
        .regex(FIELD_KEY, "There is no contact field with this key.")
        .optional()
        .meta({ description: "Only contacts with this custom field (its key) set to `fieldValue`" }),
      fieldOp: z
        .enum(["eq", "before", "after"])
        .optional()
        .meta({ description: "How `fieldValue` is compared: equal (default), or below / above for numbers and dates" }),
      fieldValue: z.string().max(200).optional().meta({
        description: "Read as the field reads values (`12,5`, `yes`, `01/03/2026`); empty: the field is not set",
      }),
      cursor: z.string().max(500).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    status: 200,
    response: z.object({ contacts: z.array(ZApiContact), next: z.string().nullable() }).meta({ id: "ContactPage" }),
    async handle(context) {
      const { fieldKey, fieldOp, fieldValue, ...filters } = context.query;
      const page = await listContacts(context.db, {
        ...filters,
        ...(fieldKey ? { field: { key: fieldKey, op: fieldOp ?? "eq", value: fieldValue ?? "" } } : {}),
      });
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
    async handle(context) {
      const page = await listThreadMessages(context.db, context.params.id, context.query);
      return { ...page, messages: page.messages.map((message) => toApiMessage(message, context.linker)) };
    },
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
    handle: async (context) =>
      releaseThreadByApi(context.db, await context.boss(), apiActor(context), context.params.id),
  }),
  defineOperation({
    method: "post",
    path: "/threads/{id}/flow",
    operationId: "startFlow",
    summary: "Start a flow in a thread",
    description:
      "Starts the published version of an enabled flow in the conversation (ending the flow running there, if any): its first messages are queued at once, and the contact's answers go to it from then on. The conversation must be the bot's (409 while a person has it).",
    tag: "Threads",
    scope: "write",
    params: ZIdParams,
    body: z.object({
      flowId: z.uuid().meta({ description: "The flow (Flows → its page's address)" }),
      variables: z
        .record(ZVariableName, z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]))
        .refine((record) => Object.keys(record).length <= 30, "At most 30 variables")
        .default({})
        .meta({ description: "Variables the flow starts with (`{{var.name}}`)", example: { order: "1042" } }),
    }),
    status: 201,
    response: z
      .object({
        runId: z.uuid(),
        flowId: z.uuid(),
        version: z.number().int(),
        stepId: z.string().nullable().meta({ description: "The step the flow waits on; null when it already ended" }),
        ended: z.boolean(),
      })
      .meta({ id: "FlowRun" }),
    async handle(context) {
      return startFlowInConversation(context.db, await context.boss(), {
        threadId: context.params.id,
        flowId: context.body.flowId,
        variables: context.body.variables,
      });
    },
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
