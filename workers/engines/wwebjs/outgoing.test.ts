import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { numberedMenu } from "~/server/messages/content";
import { readBase64, wwebjsOutgoing } from "./outgoing";

/** A stream of `bytes` cut into chunks of the given sizes (cycled). */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i += 1) {
    const size = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

describe("readBase64: a file as the library's base64, chunk by chunk", () => {
  it.each([[[1]], [[2, 5]], [[3]], [[7, 64, 1_000]], [[65_536]]])(
    "joins chunks of %j bytes into the file's one base64 text",
    async (sizes) => {
      for (const length of [0, 1, 2, 3, 4, 1_000, 10_001]) {
        const bytes = randomBytes(length);
        expect(await readBase64(chunked(bytes, sizes))).toBe(bytes.toString("base64"));
      }
    },
  );

  it("stops reading when the send is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(readBase64(chunked(randomBytes(10), [3]), controller.signal)).rejects.toThrow();
  });
});

describe("wwebjsOutgoing: what this engine (no buttons, no templates) sends instead", () => {
  it("sends a choice as its numbered menu, and a template as its text", async () => {
    const choice = {
      kind: "interactive" as const,
      style: "buttons" as const,
      body: "What can we do for you?",
      options: [
        { id: "orders", title: "Orders" },
        { id: "hours", title: "Opening hours" },
      ],
    };
    const body = numberedMenu(choice);
    expect(body).toBe("What can we do for you?\n\n1. Orders\n2. Opening hours");
    const menu = await wwebjsOutgoing({ to: "+15550001", body, clientRef: "r1", content: choice });
    expect(menu).toEqual({ content: body, echo: { body, types: null } });
    const template = await wwebjsOutgoing({
      to: "+15550001",
      body: "Hi Ana, your order is on its way.",
      clientRef: "r2",
      content: { kind: "template", name: "order_update", language: "en_US", components: [] },
    });
    expect(template.content).toBe("Hi Ana, your order is on its way.");
  });
});
