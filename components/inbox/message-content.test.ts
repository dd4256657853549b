import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { LOCALES } from "~/server/i18n/locales";
import { renderInLocale } from "~/tests/support/render-intl";
import { CONTENT_KINDS } from "~/server/messages/content";
import { EXAMPLES } from "~/server/messages/examples";
import { MessageContent } from "./message-content";

const render = renderInLocale;

describe("a message's content in each language", () => {
  for (const locale of LOCALES) {
    it(`${locale}: every kind renders from the catalogue`, () => {
      for (const kind of CONTENT_KINDS) {
        const html = render(locale, createElement(MessageContent, { content: EXAMPLES[kind], body: "" }));
        expect(html, kind).toContain(`data-kind="${kind}"`);
      }
    });
  }

  it("names a photo in the reader's language and sizes its file in their numbers", () => {
    const photo = {
      kind: "image" as const,
      caption: "Is this in stock?",
      media: { mimeType: "image/jpeg", size: 2_202_010 },
    };
    expect(render("en", createElement(MessageContent, { content: photo, body: "" }))).toContain("2.1 MB");
    const spanish = render("es", createElement(MessageContent, { content: photo, body: "" }));
    expect(spanish).toContain("Foto");
    expect(spanish).toContain("2,1 MB");
    expect(render("pt-BR", createElement(MessageContent, { content: photo, body: "" }))).toContain("Foto");
  });
});

describe("templates and choices in the Inbox", () => {
  it("shows a template as a card: header, body, footer and its buttons as labels", () => {
    const html = render(
      "en",
      createElement(MessageContent, {
        body: "",
        content: {
          kind: "template",
          name: "order_update",
          language: "en_US",
          components: [
            { type: "header", text: "Order 1042", params: ["1042"] },
            { type: "body", text: "Hi Ana, your order is on its way.", params: ["Ana"] },
            { type: "footer", text: "Reply STOP to opt out" },
            { type: "button", index: 0, subType: "url", text: "https://shop.example/track/1042", params: ["1042"] },
            { type: "button", index: 1, subType: "quick_reply", text: "Talk to us" },
          ],
        },
      }),
    );
    for (const part of ["Order 1042", "Hi Ana, your order is on its way.", "Reply STOP to opt out", "Talk to us"])
      expect(html).toContain(part);
    expect(html).toContain('aria-label="Template buttons"');
    expect(html).not.toContain("<button");
  });

  it("shows a choice offered as its body with its options as inert labels", () => {
    const html = render(
      "es",
      createElement(MessageContent, {
        body: "",
        content: {
          kind: "interactive",
          style: "list",
          body: "¿Qué necesitas?",
          button: "Elegir",
          options: [
            { id: "orders", title: "Pedidos", description: "Dónde está mi pedido" },
            { id: "hours", title: "Horario" },
          ],
        },
      }),
    );
    expect(html).toContain("¿Qué necesitas?");
    expect(html).toContain("Pedidos — Dónde está mi pedido");
    expect(html).toContain("Horario");
    expect(html).toContain("Lista tras «Elegir»");
    expect(html).not.toContain("<button");
  });
});
