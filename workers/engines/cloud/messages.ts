import type { TContactCard, TContentOf, TTemplateComponent } from "~/server/messages/content";
import type { TOutboundSend } from "~/server/messaging/outbound";

/**
 * Our messages as Meta's messages API takes them (POST `/<phone-number-id>/messages`): one pure
 * function from a queued send (and the media ids its files were uploaded as) to the JSON body.
 * Shapes follow Meta's reference: text, image/video/audio/document/sticker by id, location,
 * contacts, reaction, interactive reply buttons and lists, templates with their parameters.
 */

/** The ids Meta gave the files of a send: its own file, a template's header file. */
export type TCloudMediaIds = { media?: string; header?: string };

/** Meta's default label of a list's button, when the choice names none. */
export const DEFAULT_LIST_BUTTON = "Choose";

/** The recipient as Meta takes it: the number's digits, no `+`. */
export function recipientOf(to: string): string {
  return to.replace(/@.*$/, "").replace(/\D/g, "");
}

/** A media kind of a template header from the file's type (image, video, else document). */
export function headerKindOf(mimeType: string): "image" | "video" | "document" {
  if (mimeType.startsWith("image/")) return "image";
  if (mimeType.startsWith("video/")) return "video";
  return "document";
}

function contactOf(card: TContactCard) {
  const name = card.name.trim() || card.phones[0] || "Contact";
  const [first, ...rest] = name.split(/\s+/);
  return {
    name: { formatted_name: name, first_name: first, ...(rest.length > 0 ? { last_name: rest.join(" ") } : {}) },
    ...(card.phones.length > 0 ? { phones: card.phones.map((phone) => ({ phone })) } : {}),
  };
}

function interactiveOf(content: TContentOf<"interactive">) {
  const common = {
    ...(content.header?.trim() ? { header: { type: "text", text: content.header } } : {}),
    body: { text: content.body },
    ...(content.footer?.trim() ? { footer: { text: content.footer } } : {}),
  };
  if (content.style === "buttons") {
    return {
      type: "button",
      ...common,
      action: {
        buttons: content.options.map((option) => ({ type: "reply", reply: { id: option.id, title: option.title } })),
      },
    };
  }
  // Sections in the order they first appear (one per title); an option without a section
  // belongs to the section of the option before it.
  type TSection = { title?: string; rows: { id: string; title: string; description?: string }[] };
  const sections: TSection[] = [];
  let current: TSection | undefined;
  for (const option of content.options) {
    const row = {
      id: option.id,
      title: option.title,
      ...(option.description?.trim() ? { description: option.description } : {}),
    };
    const title = option.section?.trim() || undefined;
    if (title) {
      current = sections.find((section) => section.title === title);
      if (!current) sections.push((current = { title, rows: [] }));
    } else if (!current) {
      sections.push((current = { rows: [] }));
    }
    current.rows.push(row);
  }
  // Untitled leading options join the first titled section (several sections all need titles).
  if (sections.length > 1 && sections[0]!.title === undefined) {
    const untitled = sections.shift()!;
    sections[0]!.rows.unshift(...untitled.rows);
  }
  return {
    type: "list",
    ...common,
    action: { button: content.button?.trim() || DEFAULT_LIST_BUTTON, sections },
  };
}

function templateComponentOf(component: TTemplateComponent, ids: TCloudMediaIds): Record<string, unknown> | null {
  const params = component.params ?? [];
  const texts = params.map((text) => ({ type: "text", text }));
  switch (component.type) {
    case "header": {
      if (component.media) {
        if (!ids.header) throw new Error("the template's header file was not uploaded");
        const kind = headerKindOf(component.media.mimeType);
        const file = {
          id: ids.header,
          ...(kind === "document" && component.media.fileName ? { filename: component.media.fileName } : {}),
        };
        return { type: "header", parameters: [{ type: kind, [kind]: file }] };
      }
      return texts.length > 0 ? { type: "header", parameters: texts } : null;
    }
    case "body":
      return texts.length > 0 ? { type: "body", parameters: texts } : null;
    case "footer":
      return null;
    case "button": {
      const value = params[0];
      if (value === undefined || component.index === undefined || !component.subType) return null;
      const parameter =
        component.subType === "quick_reply"
          ? { type: "payload", payload: value }
          : component.subType === "copy_code"
            ? { type: "coupon_code", coupon_code: value }
            : { type: "text", text: value };
      return { type: "button", sub_type: component.subType, index: String(component.index), parameters: [parameter] };
    }
  }
}

function templateOf(content: TContentOf<"template">, ids: TCloudMediaIds) {
  const components = (content.components ?? []).flatMap((component) => {
    const mapped = templateComponentOf(component, ids);
    return mapped ? [mapped] : [];
  });
  return {
    name: content.name,
    language: { code: content.language },
    ...(components.length > 0 ? { components } : {}),
  };
}

/** The type and object of a send's body (`{type, [type]: object}`), by its content's kind. */
function payloadOf(send: TOutboundSend, ids: TCloudMediaIds): Record<string, unknown> {
  const content = send.content;
  if (!content || content.kind === "text") {
    return { type: "text", text: { body: content?.text ?? send.body, preview_url: false } };
  }
  const fileId = () => {
    if (!ids.media) throw new Error(`the ${content.kind} message's file was not uploaded`);
    return ids.media;
  };
  const caption = "caption" in content && content.caption?.trim() ? { caption: content.caption } : {};
  switch (content.kind) {
    case "image":
    case "video":
      return { type: content.kind, [content.kind]: { id: fileId(), ...caption } };
    case "document": {
      const fileName = send.media?.fileName ?? content.media?.fileName;
      return { type: "document", document: { id: fileId(), ...caption, ...(fileName ? { filename: fileName } : {}) } };
    }
    case "audio":
      return { type: "audio", audio: { id: fileId() } };
    case "voice":
      // A voice note: an OGG/OPUS audio Meta shows as recorded (voice icon, transcript).
      return { type: "audio", audio: { id: fileId(), voice: true } };
    case "sticker":
      return { type: "sticker", sticker: { id: fileId() } };
    case "location":
      return {
        type: "location",
        location: {
          latitude: content.lat,
          longitude: content.lng,
          ...(content.name?.trim() ? { name: content.name } : {}),
          ...(content.address?.trim() ? { address: content.address } : {}),
        },
      };
    case "contacts":
      return { type: "contacts", contacts: content.contacts.map(contactOf) };
    case "reaction":
      return { type: "reaction", reaction: { message_id: content.targetWaMessageId, emoji: content.emoji } };
    case "interactive":
      return { type: "interactive", interactive: interactiveOf(content) };
    case "template":
      return { type: "template", template: templateOf(content, ids) };
    case "button_reply":
    case "list_reply":
    case "unknown":
      // Kinds only contacts send: what they say goes as text.
      return { type: "text", text: { body: send.body, preview_url: false } };
  }
}

/**
 * The messages-API body of a send: to whom (digits), what (by kind), the message it replies to
 * (`context`, except for a reaction, which names its message itself), and the send's clientRef
 * as `biz_opaque_callback_data`, which Meta echoes in the status webhooks of the message.
 */
export function cloudMessageBody(send: TOutboundSend, ids: TCloudMediaIds = {}): Record<string, unknown> {
  const quoted = send.content && send.content.kind !== "reaction" ? send.content.quoted : undefined;
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: recipientOf(send.to),
    ...(quoted ? { context: { message_id: quoted.waMessageId } } : {}),
    ...payloadOf(send, ids),
    biz_opaque_callback_data: send.clientRef,
  };
}
