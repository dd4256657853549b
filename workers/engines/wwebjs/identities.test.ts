import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { TWwebjsClient, TWwebjsMessage } from "./client";
import { createLidPhoneLookup } from "./identities";
import { chatIdOf, identityOf, lidPhoneLinks, mapInbound, mapPhoneMessage } from "./mapping";

const SESSION = "7b0c9a52-3f4e-4c1d-9a8b-2f6e5d4c3b2a";
const LID = "166337892180127";

/** A raw payload of a message from a LID, through the library's own Message class. */
function fromLid(extra: Record<string, unknown> = {}): TWwebjsMessage {
  const { Message } = createRequire(import.meta.url)("whatsapp-web.js") as {
    Message: new (client: unknown, data: unknown) => TWwebjsMessage;
  };
  const remote = `${LID}@lid`;
  return new Message(
    {},
    {
      id: { fromMe: false, remote, id: "3EB0LID000000001", _serialized: `false_${remote}_3EB0LID000000001` },
      type: "chat",
      t: 1_765_000_000,
      from: remote,
      to: "14155550100@c.us",
      notifyName: "Ana Lima",
      body: "hello from a LID",
      ...extra,
    },
  );
}

describe("LIDs in the whatsapp-web.js engine", () => {
  it("maps a message from a LID with its sender as the LID, and the number when the message names it (senderPn)", () => {
    expect(mapInbound(fromLid(), SESSION)).toMatchObject({
      from: `${LID}@lid`,
      content: { kind: "text", text: "hello from a LID" },
    });
    expect(mapInbound(fromLid(), SESSION)).not.toHaveProperty("identity");
    expect(mapInbound(fromLid({ senderPn: "14155550123@c.us" }), SESSION)).toMatchObject({
      identity: { phone: "14155550123@c.us" },
    });
    // Only a LID sender's number counts; garbage is ignored.
    expect(identityOf({ from: "14155550123@c.us", _data: { senderPn: "14155550999@c.us" } })).toEqual({});
    expect(identityOf({ from: `${LID}@lid`, _data: { senderPn: "nonsense" } })).toEqual({});
  });

  it("reads getContactLidAndPhone's answer as links, keeping only entries with both", () => {
    expect(
      lidPhoneLinks([
        { lid: `${LID}@lid`, pn: "14155550123@c.us" },
        { lid: "12345678@lid", pn: undefined },
        { lid: undefined, pn: "14155550124@c.us" },
        { lid: "999999999:7@lid", pn: "14155550125:3@c.us" },
      ]),
    ).toEqual([
      { lid: LID, phone: "+14155550123" },
      { lid: "999999999", phone: "+14155550125" },
    ]);
  });

  it("sends to a LID-only contact at its LID chat, and reads a message typed on the phone to a LID", () => {
    expect(chatIdOf(`${LID}@lid`)).toBe(`${LID}@lid`);
    expect(chatIdOf("+14155550123")).toBe("14155550123@c.us");
    expect(mapPhoneMessage({ ...fromLid(), to: `${LID}@lid` }).to).toBe(`${LID}@lid`);
  });

  it("asks WhatsApp once per LID (messages of one LID wait for the same answer, in order), and survives a failed question", async () => {
    const calls: string[][] = [];
    let answer!: (value: { lid?: string; pn?: string }[]) => void;
    const client = {
      getContactLidAndPhone: (ids: string[]) => {
        calls.push(ids);
        return new Promise<{ lid?: string; pn?: string }[]>((resolve) => (answer = resolve));
      },
    } as unknown as TWwebjsClient;
    const lookup = createLidPhoneLookup();
    const order: string[] = [];
    const first = lookup.phoneOf(client, `${LID}@lid`).then((phone) => order.push(`first ${phone}`));
    const second = lookup.phoneOf(client, `${LID}@lid`).then((phone) => order.push(`second ${phone}`));
    answer([{ lid: `${LID}@lid`, pn: "14155550123@c.us" }]);
    await Promise.all([first, second]);
    expect(order).toEqual(["first +14155550123", "second +14155550123"]);
    expect(calls).toEqual([[`${LID}@lid`]]);

    const failing = {
      getContactLidAndPhone: () => Promise.reject(new Error("page closed")),
    } as unknown as TWwebjsClient;
    await expect(createLidPhoneLookup().phoneOf(failing, "1234567@lid")).resolves.toBeNull();
    await expect(createLidPhoneLookup().phoneOf({} as TWwebjsClient, "1234567@lid")).resolves.toBeNull();
  });
});
