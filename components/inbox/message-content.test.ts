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
