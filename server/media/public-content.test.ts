import { describe, expect, it } from "vitest";
import type { TMessageContent } from "~/server/messages/content";
import { withDeliveryLinks } from "~/server/webhooks/payloads";
import { publicContent, ZPublicMessageContent, type TMediaLinker } from "./public-content";
import { signedMediaLinks, verifyMediaRequest } from "./urls";

const SHA = "a".repeat(64);
const THUMB = "b".repeat(64);
const SECRET = "public-content-test-secret-0123456789";
const NOW = new Date("2026-12-06T12:00:00Z");
const linker: TMediaLinker = (media) =>
  signedMediaLinks(media, { secret: SECRET, ttlS: 600, origin: "https://sb.example.com", now: NOW });

const photo: TMessageContent = {
  kind: "image",
  caption: "Look",
  media: { mimeType: "image/jpeg", size: 10, storageKey: SHA, thumbKey: THUMB, state: "stored" },
};

describe("publicContent", () => {
  it("adds absolute signed links to a stored file, valid until expiresAt", () => {
    const out = publicContent(photo, linker);
    expect(ZPublicMessageContent.safeParse(out).error?.issues).toBeUndefined();
    const media = out.media!;
    expect(media.url).toMatch(/^https:\/\/sb\.example\.com\/api\/media\/a{64}\?/);
    expect(media.thumbUrl).toMatch(/v=thumb/);
    expect(media.downloadUrl).toMatch(/d=1/);
    expect(media.linkUnavailable).toBeNull();
    const url = new URL(media.url!);
    expect(verifyMediaRequest(SECRET, SHA, url.searchParams, NOW)).toMatchObject({ ok: true, variant: "full" });
    expect(verifyMediaRequest(SECRET, SHA, url.searchParams, new Date(media.expiresAt!))).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("says why there are no links: not stored, or no public address", () => {
    const pending: TMessageContent = { kind: "video", media: { mimeType: "video/mp4", state: "pending" } };
    expect(publicContent(pending, linker).media).toMatchObject({ url: null, linkUnavailable: "not_stored" });
    expect(publicContent(photo, null).media).toMatchObject({
      url: null,
      thumbUrl: null,
      downloadUrl: null,
      expiresAt: null,
      linkUnavailable: "no_public_url",
    });
    const text: TMessageContent = { kind: "text", text: "hi" };
    expect(publicContent(text, linker)).toEqual(text);
  });

  it("[webhook] links a delivered payload's message media, and leaves the stored payload as it was", () => {
    const stored = { id: "x", type: "message.received", data: { message: { id: "m", content: photo } } };
    const delivered = withDeliveryLinks(stored, linker);
    expect(delivered.data.message.content).toMatchObject({ media: { url: expect.stringMatching(/^https:/) } });
    expect(stored.data.message.content).toBe(photo);
    expect(withDeliveryLinks({ id: "y", data: {} }, linker)).toEqual({ id: "y", data: {} });
    expect(withDeliveryLinks(null, linker)).toBeNull();
  });
});
