import { createHash, createHmac } from "node:crypto";
import { FAKE_GRAPH_DEFAULTS } from "./fake-graph-server";

/**
 * Meta's `messages` webhook payloads, as its reference documents them
 * (developers.facebook.com → WhatsApp Business Platform → Webhooks → messages: text, image,
 * audio, document, location, contacts, reaction, interactive, button, unsupported, status, errors,
 * and Business-scoped user IDs for `user_id` / `from_user_id` / `profile.username`), with the
 * reference's own example values (WABA 102290129340398, number id 106540352242922, Sheena Nelson
 * at 16505551234), and the signature Meta puts on them (`X-Hub-Signature-256`).
 */

export const CLOUD_EXAMPLE = {
  businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId,
  phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
  displayPhoneNumber: "15550783881",
  user: { name: "Sheena Nelson", waId: "16505551234" },
  /** A Meta app secret (hex, as App settings → Basic shows it). */
  appSecret: "0123456789abcdef0123456789abcdef",
  verifyToken: "switchboard-verify-token",
} as const;

/** `X-Hub-Signature-256` for a body: `sha256=` and the hex HMAC-SHA256 under the app secret. */
export function signCloudWebhook(body: string | Buffer, appSecret: string = CLOUD_EXAMPLE.appSecret): string {
  return `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

/** The files' SHA-256 as Meta sends them (base64; a hex one too, which our model also takes). */
export const CLOUD_HASHES = {
  image: createHash("sha256").update("image").digest("base64"),
  voice: createHash("sha256").update("voice").digest("base64"),
  document: createHash("sha256").update("document").digest("hex"),
};

type TValue = Record<string, unknown>;

/** The envelope every notification comes in: one entry (the WABA), one change of field `messages`. */
export function cloudEnvelope(value: TValue, phoneNumberId: string = CLOUD_EXAMPLE.phoneNumberId) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: CLOUD_EXAMPLE.businessAccountId,
        changes: [
          {
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: CLOUD_EXAMPLE.displayPhoneNumber, phone_number_id: phoneNumberId },
              ...value,
            },
            field: "messages",
          },
        ],
      },
    ],
  };
}

type TFrom = { id?: string; from?: string; name?: string; timestamp?: string };

/** An incoming message of one type, from Sheena Nelson unless told otherwise. */
export function cloudMessage(type: string, fields: TValue, options: TFrom = {}) {
  const from = options.from ?? CLOUD_EXAMPLE.user.waId;
  return cloudEnvelope({
    contacts: [{ profile: { name: options.name ?? CLOUD_EXAMPLE.user.name }, wa_id: from }],
    messages: [
      {
        from,
        id: options.id ?? "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        timestamp: options.timestamp ?? "1749416383",
        type,
        ...fields,
      },
    ],
  });
}

/** Meta's examples, one per kind. */
export const CLOUD_PAYLOADS = {
  text: (options?: TFrom) => cloudMessage("text", { text: { body: "Does it come in another color?" } }, options),
  image: (options?: TFrom & { mediaId?: string }) =>
    cloudMessage(
      "image",
      {
        image: {
          caption: "Best succulent ever?",
          mime_type: "image/jpeg",
          sha256: CLOUD_HASHES.image,
          id: options?.mediaId ?? "1003383421387256",
          url: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256",
        },
      },
      options,
    ),
  voice: (options?: TFrom) =>
    cloudMessage(
      "audio",
      {
        audio: {
          mime_type: "audio/ogg; codecs=opus",
          sha256: CLOUD_HASHES.voice,
          id: "1003383421387257",
          voice: true,
        },
      },
      options,
    ),
  document: (options?: TFrom) =>
    cloudMessage(
      "document",
      {
        document: {
          caption: "Lucky Shrub Invoice",
          filename: "lucky-shrub-invoice.pdf",
          mime_type: "application/pdf",
          sha256: CLOUD_HASHES.document,
          id: "1003383421387258",
        },
      },
      options,
    ),
  location: (options?: TFrom) =>
    cloudMessage(
      "location",
      {
        location: {
          address: "101 Forest Ave, Palo Alto, CA 94301",
          latitude: 37.44216251868683,
          longitude: -122.16153582049394,
          name: "Philz Coffee",
          url: "https://philzcoffee.com/",
        },
      },
      options,
    ),
  contacts: (options?: TFrom) =>
    cloudMessage(
      "contacts",
      {
        contacts: [
          {
            addresses: [{ city: "Menlo Park", country: "United States", type: "HOME" }],
            emails: [{ email: "bjohnson@luckyshrub.com", type: "WORK" }],
            name: {
              first_name: "Barbara",
              last_name: "Johnson",
              formatted_name: "Barbara J. Johnson",
            },
            org: { company: "Lucky Shrub" },
            phones: [
              { phone: "+1 (940) 555-1234", wa_id: "19405551234", type: "MOBILE" },
              { phone: "+1 (650) 555-1234", type: "WORK" },
            ],
          },
        ],
      },
      options,
    ),
  reaction: (options?: TFrom & { emoji?: string }) =>
    cloudMessage(
      "reaction",
      {
        reaction: {
          message_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3N0EyQUJDMjFEQzZCQUMzODMA",
          emoji: options?.emoji ?? "\u{1F600}",
        },
      },
      options,
    ),
  buttonReply: (options?: TFrom & { replyId?: string; title?: string }) =>
    cloudMessage(
      "interactive",
      {
        context: {
          from: CLOUD_EXAMPLE.displayPhoneNumber,
          id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA",
        },
        interactive: {
          type: "button_reply",
          button_reply: { id: options?.replyId ?? "orders", title: options?.title ?? "Orders" },
        },
      },
      options,
    ),
  listReply: (options?: TFrom) =>
    cloudMessage(
      "interactive",
      {
        context: {
          from: CLOUD_EXAMPLE.displayPhoneNumber,
          id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUB",
        },
        interactive: {
          type: "list_reply",
          list_reply: { id: "priority_express", title: "Express Shipping", description: "Next day to 2 days" },
        },
      },
      options,
    ),
  templateButton: (options?: TFrom) =>
    cloudMessage(
      "button",
      {
        context: {
          from: CLOUD_EXAMPLE.displayPhoneNumber,
          id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NDQ5RTQ5NDQ1NzE4QkU4MjEA",
        },
        button: { payload: "unsubscribe-promos", text: "Stop promotions" },
      },
      options,
    ),
  quotedText: (options?: TFrom) =>
    cloudMessage(
      "text",
      {
        context: {
          from: CLOUD_EXAMPLE.displayPhoneNumber,
          id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNTRBNkFFQUUyMTg3QkQ0MDMA",
        },
        text: { body: "Yes, the blue one please" },
      },
      options,
    ),
  unsupported: (options?: TFrom) =>
    cloudMessage(
      "unsupported",
      {
        errors: [
          {
            code: 131051,
            title: "Message type unknown",
            message: "Message type unknown",
            error_data: { details: "Message type is currently not supported." },
          },
        ],
        unsupported: { type: "edit" },
      },
      options,
    ),
  system: () =>
    cloudEnvelope({
      messages: [
        {
          from: CLOUD_EXAMPLE.user.waId,
          id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
          timestamp: "1739321024",
          type: "system",
          system: {
            body: "User Sheena Nelson changed from 16505551234 to 12195555358",
            wa_id: "12195555358",
            type: "user_changed_number",
          },
        },
      ],
    }),
  /** A user who adopted a username and whose number Meta withholds: only the BSUID. */
  usernameOnly: (options: { id?: string; userId?: string; username?: string } = {}) =>
    cloudEnvelope({
      contacts: [
        {
          profile: { name: "Pablo Morales", username: options.username ?? "pablo.morales" },
          user_id: options.userId ?? "US.13491208655302741918",
        },
      ],
      messages: [
        {
          from_user_id: options.userId ?? "US.13491208655302741918",
          id: options.id ?? "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQjJFMzQ3QjU4RkI0MjM4QTQA",
          timestamp: "1749416390",
          type: "text",
          text: { body: "Hi, is the store open today?" },
        },
      ],
    }),
  /** A user with a number, a BSUID and a username: all three identities. */
  phoneBsuidUsername: (options: { id?: string; from?: string; userId?: string; username?: string } = {}) =>
    cloudEnvelope({
      contacts: [
        {
          profile: { name: "Pablo Morales", username: options.username ?? "pablo.morales" },
          wa_id: options.from ?? "14155550123",
          user_id: options.userId ?? "US.13491208655302741918",
        },
      ],
      messages: [
        {
          from: options.from ?? "14155550123",
          from_user_id: options.userId ?? "US.13491208655302741918",
          id: options.id ?? "wamid.HBgLMTQxNTU1NTAxMjMVAgASGBQzQzY0RjZEMjY0M0NBNUM3RDEA",
          timestamp: "1749416400",
          type: "text",
          text: { body: "And do you deliver?" },
        },
      ],
    }),
  /** A status of a message the business sent. */
  status: (
    status: "sent" | "delivered" | "read" | "failed",
    options: { id?: string; recipient?: string; timestamp?: string } = {},
  ) =>
    cloudEnvelope({
      statuses: [
        {
          id: options.id ?? "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3N0EyQUJDMjFEQzZCQUMzODMA",
          status,
          timestamp: options.timestamp ?? "1750263773",
          recipient_id: options.recipient ?? CLOUD_EXAMPLE.user.waId,
          ...(status === "failed"
            ? {
                errors: [
                  {
                    code: 131049,
                    title: "This message was not delivered to maintain healthy ecosystem engagement.",
                    message: "This message was not delivered to maintain healthy ecosystem engagement.",
                    error_data: {
                      details:
                        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
                    },
                    href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                  },
                ],
              }
            : {
                conversation: { id: "a0f5b9d8c1e2f3a4b5c6d7e8f9a0b1c2", origin: { type: "service" } },
                pricing: { billable: true, pricing_model: "PMP", category: "service", type: "free_customer_service" },
              }),
        },
      ],
    }),
  /** An app- or account-level error (no message, no status). */
  errors: () =>
    cloudEnvelope({
      errors: [
        {
          code: 130429,
          title: "Rate limit hit",
          message: "(#130429) Rate limit hit",
          error_data: { details: "Cloud API message throughput has been reached." },
          href: "/docs/whatsapp/cloud-api/support/error-codes/",
        },
      ],
    }),
};
