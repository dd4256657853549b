import { describe, expect, it } from "vitest";
import { ZMediaEnv } from "./env";
import { formatLimit, largestLimit, maxBytesOf, MB, mediaLimitsFromEnv, WHATSAPP_MEDIA_LIMITS } from "./limits";

describe("media limits", () => {
  it("are WhatsApp's own without settings: images 5 MB, audio and video 16 MB, documents 100 MB", () => {
    const limits = mediaLimitsFromEnv(ZMediaEnv.parse({}));
    expect(limits).toEqual(WHATSAPP_MEDIA_LIMITS);
    expect([limits.image, limits.audio, limits.video, limits.document]).toEqual([5 * MB, 16 * MB, 16 * MB, 100 * MB]);
  });

  it("settings lower them; stickers follow images and voice notes follow audio", () => {
    const limits = mediaLimitsFromEnv(
      ZMediaEnv.parse({ MEDIA_MAX_IMAGE_MB: "2", MEDIA_MAX_AUDIO_MB: "0.5", MEDIA_MAX_DOCUMENT_MB: "10" }),
    );
    expect(maxBytesOf("image", limits)).toBe(2 * MB);
    expect(maxBytesOf("sticker", limits)).toBe(2 * MB);
    expect(maxBytesOf("voice", limits)).toBe(MB / 2);
    expect(maxBytesOf("video", limits)).toBe(16 * MB);
    expect(maxBytesOf("document", limits)).toBe(10 * MB);
    expect(largestLimit(limits)).toBe(16 * MB);
  });

  it("settings cannot raise them past WhatsApp's", () => {
    expect(ZMediaEnv.safeParse({ MEDIA_MAX_IMAGE_MB: "6" }).success).toBe(false);
  });

  it("read as words", () => {
    expect(formatLimit(5 * MB)).toBe("5 MB");
    expect(formatLimit(MB / 2)).toBe("512 KB");
    expect(formatLimit(1.5 * MB)).toBe("1.5 MB");
  });
});
