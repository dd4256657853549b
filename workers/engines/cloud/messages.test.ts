import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { TMessageContent } from "~/server/messages/content";
import type { TOutboundSend } from "~/server/messaging/outbound";
import { checkMessageBody } from "~/tests/support/fake-graph-server";
import { cloudMessageBody, recipientOf } from "./messages";

const REF = "7b0c9a1e-4a52-4d1b-9d8f-2f3f8f1b5b11";
const common = {
  messaging_product: "whatsapp",
  recipient_type: "individual",
  to: "15550001001",
  biz_opaque_callback_data: REF,
};

function send(content: TMessageContent | undefined, body = "", file?: { fileName?: string }): TOutboundSend {
  return {
    to: "+15550001001",
    body,
    clientRef: REF,
    ...(content ? { content } : {}),
    ...(file
      ? {
          media: {
            sha256: "a".repeat(64),
            mimeType: "application/octet-stream",
            size: 3,
            ...(file.fileName ? { fileName: file.fileName } : {}),
            open: () => Promise.resolve(Readable.from([Buffer.from("abc")])),
          },
        }
      : {}),
  };
}

/** The body, after checking that Meta's rules (as the fake Graph server enforces them) accept it. */
function bodyOf(message: TOutboundSend, ids: { media?: string; header?: string } = {}) {
  const body = cloudMessageBody(message, ids);
  expect(checkMessageBody(body)).toBeNull();
  return body;
}

const photo = { mimeType: "image/jpeg", storageKey: "b".repeat(64), state: "stored" as const };

describe("cloudMessageBody: our messages as Meta's messages API takes them", () => {
  it("sends a text without link previews, to the number's digits, with the clientRef Meta echoes back", () => {
    expect(bodyOf(send(undefined, "Hello there"))).toEqual({
      ...common,
      type: "text",
      text: { body: "Hello there", preview_url: false },
    });
    expect(bodyOf(send({ kind: "text", text: "From content" }, "From content"))).toEqual({
      ...common,
      type: "text",
      text: { body: "From content", preview_url: false },
    });
    expect(recipientOf("+49 (151) 234-5678")).toBe("491512345678");
  });

  it("sends each media kind by its uploaded id, with a caption only where Meta allows one", () => {
    const id = "1048576000001";
    expect(bodyOf(send({ kind: "image", media: photo, caption: "Receipt" }, "Receipt", {}), { media: id })).toEqual({
      ...common,
      type: "image",
      image: { id, caption: "Receipt" },
    });
    expect(bodyOf(send({ kind: "image", media: photo }, "[Photo]", {}), { media: id })).toEqual({
      ...common,
      type: "image",
      image: { id },
    });
    expect(bodyOf(send({ kind: "video", media: photo, caption: "Clip" }, "Clip", {}), { media: id })).toEqual({
      ...common,
      type: "video",
      video: { id, caption: "Clip" },
    });
    expect(bodyOf(send({ kind: "audio", media: photo }, "[Audio]", {}), { media: id })).toEqual({
      ...common,
      type: "audio",
      audio: { id },
    });
    expect(bodyOf(send({ kind: "voice", media: photo }, "[Voice message]", {}), { media: id })).toEqual({
      ...common,
      type: "audio",
      audio: { id, voice: true },
    });
    expect(bodyOf(send({ kind: "sticker", media: photo }, "[Sticker]", {}), { media: id })).toEqual({
      ...common,
      type: "sticker",
      sticker: { id },
    });
    expect(
      bodyOf(
        send({ kind: "document", media: photo, caption: "Your invoice" }, "Your invoice", { fileName: "inv.pdf" }),
        {
          media: id,
        },
      ),
    ).toEqual({ ...common, type: "document", document: { id, caption: "Your invoice", filename: "inv.pdf" } });
    expect(
      bodyOf(send({ kind: "document", media: photo }, "[Document]", { fileName: "inv.pdf" }), { media: id }),
    ).toEqual({ ...common, type: "document", document: { id, filename: "inv.pdf" } });
    // No uploaded id: refused before anything is sent.
    expect(() => cloudMessageBody(send({ kind: "image", media: photo }, "[Photo]", {}))).toThrow(/not uploaded/);
  });

  it("sends a location, contact cards, and a reaction naming its message", () => {
    expect(
      bodyOf(send({ kind: "location", lat: 52.52, lng: 13.405, name: "Bakery", address: "Main St 1" }, "[Location]")),
    ).toEqual({
      ...common,
      type: "location",
      location: { latitude: 52.52, longitude: 13.405, name: "Bakery", address: "Main St 1" },
    });
    expect(
      bodyOf(
        send(
          {
            kind: "contacts",
            contacts: [
              { name: "Ana Maria Souza", phones: ["+5511999990000", "+5511988880000"] },
              { name: "", phones: ["+15550002"] },
            ],
          },
          "[Contact]",
        ),
      ),
    ).toEqual({
      ...common,
      type: "contacts",
      contacts: [
        {
          name: { formatted_name: "Ana Maria Souza", first_name: "Ana", last_name: "Maria Souza" },
          phones: [{ phone: "+5511999990000" }, { phone: "+5511988880000" }],
        },
        { name: { formatted_name: "+15550002", first_name: "+15550002" }, phones: [{ phone: "+15550002" }] },
      ],
    });
    expect(
      bodyOf(
        send(
          {
            kind: "reaction",
            emoji: "👍",
            targetWaMessageId: "wamid.HBgLMTU1NTAwMDEwMDEVAgASGBQzQUY=",
            quoted: { waMessageId: "x" },
          },
          "[Reacted 👍]",
        ),
      ),
    ).toEqual({
      ...common,
      type: "reaction",
      reaction: { message_id: "wamid.HBgLMTU1NTAwMDEwMDEVAgASGBQzQUY=", emoji: "👍" },
    });
  });

  it("quotes the message a reply answers (context.message_id)", () => {
    expect(bodyOf(send({ kind: "text", text: "Yes", quoted: { waMessageId: "wamid.QUOTED" } }, "Yes"))).toEqual({
      ...common,
      context: { message_id: "wamid.QUOTED" },
      type: "text",
      text: { body: "Yes", preview_url: false },
    });
  });

  it("sends a choice with buttons as reply buttons, with its header and footer", () => {
    const content: TMessageContent = {
      kind: "interactive",
      style: "buttons",
      header: "Bakery",
      body: "What can we do for you?",
      footer: "Tap one",
      options: [
        { id: "orders", title: "Orders" },
        { id: "hours", title: "Opening hours" },
        { id: "human", title: "Talk to us" },
      ],
    };
    expect(bodyOf(send(content, "menu"))).toEqual({
      ...common,
      type: "interactive",
      interactive: {
        type: "button",
        header: { type: "text", text: "Bakery" },
        body: { text: "What can we do for you?" },
        footer: { text: "Tap one" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "orders", title: "Orders" } },
            { type: "reply", reply: { id: "hours", title: "Opening hours" } },
            { type: "reply", reply: { id: "human", title: "Talk to us" } },
          ],
        },
      },
    });
  });

  it("sends a list grouped into its sections (an option without one joins the section before it), behind its button", () => {
    const content: TMessageContent = {
      kind: "interactive",
      style: "list",
      body: "Pick a cake",
      button: "See cakes",
      options: [
        { id: "plain", title: "Plain" },
        { id: "choc", title: "Chocolate", section: "Classics", description: "Dark, 70%" },
        { id: "lemon", title: "Lemon" },
        { id: "matcha", title: "Matcha", section: "New" },
        { id: "vanilla", title: "Vanilla", section: "Classics" },
      ],
    };
    expect(bodyOf(send(content, "menu"))).toEqual({
      ...common,
      type: "interactive",
      interactive: {
        type: "list",
        body: { text: "Pick a cake" },
        action: {
          button: "See cakes",
          sections: [
            {
              title: "Classics",
              rows: [
                { id: "plain", title: "Plain" },
                { id: "choc", title: "Chocolate", description: "Dark, 70%" },
                { id: "lemon", title: "Lemon" },
                { id: "vanilla", title: "Vanilla" },
              ],
            },
            { title: "New", rows: [{ id: "matcha", title: "Matcha" }] },
          ],
        },
      },
    });
    // No sections and no button label: one untitled section behind "Choose".
    const plain = bodyOf(
      send(
        {
          kind: "interactive",
          style: "list",
          body: "Pick",
          options: [
            { id: "a", title: "A" },
            { id: "b", title: "B" },
          ],
        },
        "m",
      ),
    );
    expect(plain.interactive).toEqual({
      type: "list",
      body: { text: "Pick" },
      action: {
        button: "Choose",
        sections: [
          {
            rows: [
              { id: "a", title: "A" },
              { id: "b", title: "B" },
            ],
          },
        ],
      },
    });
  });

  it("sends a template with header text values, body values, a URL button's variable and a quick reply's payload", () => {
    const content: TMessageContent = {
      kind: "template",
      name: "order_update",
      language: "en_US",
      components: [
        { type: "header", text: "Order 4711", params: ["4711"] },
        {
          type: "body",
          text: "Hi Ana, your order 4711 is on its way and arrives today.",
          params: ["Ana", "4711", "today"],
        },
        { type: "footer", text: "Reply STOP to opt out" },
        { type: "button", index: 0, subType: "url", text: "https://shop.example/track/4711", params: ["4711"] },
        { type: "button", index: 1, subType: "quick_reply", text: "Talk to us", params: ["TALK"] },
        { type: "button", index: 2, subType: "copy_code", text: "Copy code", params: ["SPRING25"] },
      ],
    };
    expect(bodyOf(send(content, "Hi Ana…"))).toEqual({
      ...common,
      type: "template",
      template: {
        name: "order_update",
        language: { code: "en_US" },
        components: [
          { type: "header", parameters: [{ type: "text", text: "4711" }] },
          {
            type: "body",
            parameters: [
              { type: "text", text: "Ana" },
              { type: "text", text: "4711" },
              { type: "text", text: "today" },
            ],
          },
          { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "4711" }] },
          { type: "button", sub_type: "quick_reply", index: "1", parameters: [{ type: "payload", payload: "TALK" }] },
          {
            type: "button",
            sub_type: "copy_code",
            index: "2",
            parameters: [{ type: "coupon_code", coupon_code: "SPRING25" }],
          },
        ],
      },
    });
  });

  it("sends a template's header file by its uploaded id, and a template without variables with no components", () => {
    const content: TMessageContent = {
      kind: "template",
      name: "menu_photo",
      language: "pt_BR",
      components: [
        { type: "header", media: photo },
        { type: "body", text: "Olá Ana, veja o cardápio desta semana.", params: ["Ana"] },
      ],
    };
    expect(bodyOf(send(content, "Olá Ana…"), { header: "1048576000009" })).toEqual({
      ...common,
      type: "template",
      template: {
        name: "menu_photo",
        language: { code: "pt_BR" },
        components: [
          { type: "header", parameters: [{ type: "image", image: { id: "1048576000009" } }] },
          { type: "body", parameters: [{ type: "text", text: "Ana" }] },
        ],
      },
    });
    const pdfHeader: TMessageContent = {
      kind: "template",
      name: "invoice",
      language: "en",
      components: [
        { type: "header", media: { mimeType: "application/pdf", fileName: "inv.pdf", storageKey: "c".repeat(64) } },
      ],
    };
    expect((bodyOf(send(pdfHeader, "x"), { header: "9" }).template as { components: unknown[] }).components).toEqual([
      { type: "header", parameters: [{ type: "document", document: { id: "9", filename: "inv.pdf" } }] },
    ]);
    expect(
      bodyOf(
        send(
          {
            kind: "template",
            name: "hello_world",
            language: "en_US",
            components: [
              { type: "header", text: "Hello World" },
              { type: "body", text: "Welcome and congratulations!!" },
              { type: "footer", text: "WhatsApp Business Platform sample message" },
            ],
          },
          "Welcome",
        ),
      ),
    ).toEqual({ ...common, type: "template", template: { name: "hello_world", language: { code: "en_US" } } });
  });
});
