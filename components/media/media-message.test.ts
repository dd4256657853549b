import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { MessageContent } from "~/components/inbox/message-content";
import { LOCALES } from "~/server/i18n/locales";
import type { TMediaLinks } from "~/server/media/urls";
import { MEDIA_ERRORS, type TMessageContent } from "~/server/messages/content";
import { NO_CAPABILITIES } from "~/server/sessions/engine-capabilities";
import { renderInLocale } from "~/tests/support/render-intl";
import { fittedSize } from "./media-message";
import { likelyKind, sendableKinds, singleFile } from "./upload";

const SHA = "a".repeat(64);
const LINKS: TMediaLinks = {
  url: `/api/media/${SHA}?e=1&s=full`,
  thumbUrl: `/api/media/${SHA}?e=1&v=thumb&s=thumb`,
  downloadUrl: `/api/media/${SHA}?e=1&d=1&s=dl`,
  expiresAt: "2026-12-06T15:00:00.000Z",
};

function render(
  content: TMessageContent,
  mediaLinks: TMediaLinks | null = LINKS,
  locale: (typeof LOCALES)[number] = "en",
) {
  return renderInLocale(locale, createElement(MessageContent, { content, body: "", mediaLinks }));
}

const stored = { mimeType: "image/jpeg", storageKey: SHA, size: 48_213, state: "stored" as const };

describe("a media message's file, by where it stands", () => {
  it("a stored photo shows its thumbnail inline at a reserved size, opening full size", () => {
    const html = render({ kind: "image", caption: "Our menu", media: { ...stored, width: 1600, height: 1200 } });
    expect(html).toContain('data-testid="media-image"');
    expect(html).toContain(`src="${LINKS.thumbUrl!.replaceAll("&", "&amp;")}"`);
    // 1600×1200 fitted to 240 px: the place is reserved before the bytes arrive.
    expect(html).toContain('width="240"');
    expect(html).toContain('height="180"');
    expect(html).toContain('aria-haspopup="dialog"');
    expect(html).toContain("Open the photo full size");
    expect(html).toContain('alt="Photo: Our menu"');
    expect(html).toContain("Our menu");
  });

  it("a photo without a thumbnail shows the full image", () => {
    const html = render({ kind: "image", media: stored }, { ...LINKS, thumbUrl: undefined });
    expect(html).toContain(`src="${LINKS.url.replaceAll("&", "&amp;")}"`);
  });

  it("a sticker is small and opens nothing", () => {
    const html = render({ kind: "sticker", media: { ...stored, mimeType: "image/webp", width: 512, height: 512 } });
    expect(html).toContain('data-testid="media-sticker"');
    expect(html).toContain('width="128"');
    expect(html).not.toContain("aria-haspopup");
  });

  it("a voice note has a player that loads only its metadata, and its transcript labelled under it", () => {
    const html = render({
      kind: "voice",
      media: { ...stored, mimeType: "audio/ogg" },
      transcript: "I'll be there at five",
    });
    expect(html).toMatch(/<audio[^>]*controls=""[^>]*preload="metadata"/);
    expect(html).toContain('aria-label="Play the voice message"');
    expect(html).toContain("Transcript:");
    expect(html).toContain("I&#x27;ll be there at five");
    expect(html).toMatch(/aria-describedby="([^"]+)"[\s\S]*id="\1"/);
  });

  it("a video plays inline on a phone", () => {
    const html = render({ kind: "video", media: { ...stored, mimeType: "video/mp4", width: 640, height: 360 } });
    expect(html).toMatch(/<video[^>]*controls=""[^>]*preload="metadata"[^>]*playsInline=""/i);
    expect(html).toContain('width="320"');
  });

  it("a document is a download with its name and size, in the reader's numbers", () => {
    const content: TMessageContent = {
      kind: "document",
      media: { ...stored, mimeType: "application/pdf", fileName: "invoice-March.pdf", size: 2_202_010 },
    };
    const html = render(content);
    expect(html).toContain(`href="${LINKS.downloadUrl.replaceAll("&", "&amp;")}"`);
    expect(html).toContain('download="invoice-March.pdf"');
    expect(html).toContain("invoice-March.pdf");
    expect(html).toContain("2.1 MB");
    expect(render(content, LINKS, "es")).toContain("2,1 MB");
  });

  it("pending says it is downloading, in each language", () => {
    const content: TMessageContent = { kind: "image", media: { mimeType: "image/jpeg", state: "pending" } };
    expect(render(content, null)).toContain("Downloading…");
    expect(render(content, null, "es")).toContain("Descargando…");
    expect(render(content, null, "pt-BR")).toContain("Baixando…");
    expect(render(content, null)).not.toContain("<img");
  });

  it("each failure says why in its own words, too large with the limit", () => {
    const texts = new Set<string>();
    for (const error of MEDIA_ERRORS) {
      const html = render({ kind: "image", media: { mimeType: "image/jpeg", state: "failed", error } }, null);
      const text = /data-testid="media-failed"[^>]*>([^<]*)</.exec(html)?.[1];
      expect(text, error).toBeTruthy();
      texts.add(text!);
    }
    expect(texts.size).toBe(MEDIA_ERRORS.length);
    expect(
      render({ kind: "image", media: { mimeType: "image/jpeg", state: "failed", error: "too_large" } }, null),
    ).toContain("at most 5 MB");
    expect(
      render({ kind: "document", media: { mimeType: "application/pdf", state: "failed", error: "too_large" } }, null),
    ).toContain("at most 100 MB");
    expect(
      render({ kind: "voice", media: { mimeType: "audio/ogg", state: "failed", error: "unavailable" } }, null),
    ).toContain("WhatsApp no longer has this file");
  });

  it("a file retention removed says so, and links to nothing", () => {
    const html = render(
      { kind: "image", media: { ...stored, state: "removed", error: "removed", errorDetail: "retention" } },
      null,
    );
    expect(html).toContain("Settings → Media");
    expect(html).not.toContain("<img");
  });

  it("media from before the store (no state) keeps its stand-in with the metadata", () => {
    const html = render(
      { kind: "image", caption: "Is this in stock?", media: { mimeType: "image/jpeg", width: 800, height: 600 } },
      null,
    );
    expect(html).toContain('data-testid="media-stand-in"');
    expect(html).toContain("image/jpeg · 800×600");
  });

  it("a location links to OpenStreetMap and, for phones, a geo: URI", () => {
    const html = render({ kind: "location", lat: -23.55, lng: -46.63, name: "Our shop" }, null);
    expect(html).toContain("https://www.openstreetmap.org/?mlat=-23.55&amp;mlon=-46.63");
    expect(html).toContain('href="geo:-23.55,-46.63?q=-23.55,-46.63(Our%20shop)"');
    expect(html).toContain("Open in a maps app");
  });

  for (const locale of LOCALES) {
    it(`${locale}: every state and kind renders from the catalogue`, () => {
      for (const kind of ["image", "video", "audio", "voice", "document", "sticker"] as const) {
        for (const state of ["pending", "stored", "failed", "removed"] as const) {
          render(
            { kind, media: { ...stored, state, error: state === "failed" ? "too_large" : undefined } },
            LINKS,
            locale,
          );
        }
      }
    });
  }
});

describe("the composer's attachment rules", () => {
  it("fits a size into a box keeping its shape, never enlarging", () => {
    expect(fittedSize(1600, 1200, 240)).toEqual({ width: 240, height: 180 });
    expect(fittedSize(300, 1200, 240)).toEqual({ width: 60, height: 240 });
    expect(fittedSize(100, 50, 240)).toEqual({ width: 100, height: 50 });
    expect(fittedSize(undefined, 50, 240)).toBeNull();
  });

  it("guesses the kind from the claimed type (the server decides from the content)", () => {
    expect(likelyKind("image/png")).toBe("image");
    expect(likelyKind("video/mp4")).toBe("video");
    expect(likelyKind("audio/ogg")).toBe("audio");
    expect(likelyKind("application/pdf")).toBe("document");
    expect(likelyKind("")).toBe("document");
  });

  it("offers only the kinds the number's engine can send", () => {
    expect(sendableKinds(null)).toEqual([]);
    expect(sendableKinds(NO_CAPABILITIES)).toEqual([]);
    expect(sendableKinds({ ...NO_CAPABILITIES, media: ["image", "voice", "location"] })).toEqual(["image"]);
    expect(sendableKinds({ ...NO_CAPABILITIES, media: ["image", "video", "audio", "document"] })).toEqual([
      "image",
      "video",
      "audio",
      "document",
    ]);
  });

  it("takes one file at a time", () => {
    const file = new File(["x"], "a.txt", { type: "text/plain" });
    expect(singleFile([])).toBeNull();
    expect(singleFile([file])).toBe(file);
    expect(singleFile([file, file])).toBe("many");
  });
});
