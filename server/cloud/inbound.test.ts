import { describe, expect, it } from "vitest";
import { CLOUD_EXAMPLE, CLOUD_HASHES, CLOUD_PAYLOADS, cloudEnvelope } from "~/tests/support/cloud-webhooks";
import { describeCloudError, readCloudWebhook } from "./inbound";

const SESSION = "5b1f6c1e-0000-4000-8000-000000000001";
const TARGET = { sessionId: SESSION, phoneNumberId: CLOUD_EXAMPLE.phoneNumberId };
const WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
const SENT_AT = new Date(1749416383 * 1000);

function only(payload: unknown) {
  const read = readCloudWebhook(payload, TARGET);
  expect(read.statuses).toEqual([]);
  expect(read.messages).toHaveLength(1);
  return read.messages[0]!;
}

/** The inbound message every example from Sheena Nelson maps to, with its content. */
const fromSheena = (content: unknown) => ({
  sessionId: SESSION,
  waMessageId: WAMID,
  from: "+16505551234",
  pushName: "Sheena Nelson",
  content,
  sentAt: SENT_AT,
});

describe("readCloudWebhook: Meta's message examples", () => {
  it("[text] the body, the sender's number in E.164, their profile name and the time", () => {
    expect(only(CLOUD_PAYLOADS.text())).toEqual(fromSheena({ kind: "text", text: "Does it come in another color?" }));
  });

  it("[image] a pending file Meta's media id fetches, its type, hash and caption", () => {
    expect(only(CLOUD_PAYLOADS.image())).toEqual(
      fromSheena({
        kind: "image",
        media: { mimeType: "image/jpeg", sha256: CLOUD_HASHES.image, engineRef: "1003383421387256", state: "pending" },
        caption: "Best succulent ever?",
      }),
    );
  });

  it("[audio] a voice note when Meta says voice", () => {
    expect(only(CLOUD_PAYLOADS.voice()).content).toEqual({
      kind: "voice",
      media: {
        mimeType: "audio/ogg; codecs=opus",
        sha256: CLOUD_HASHES.voice,
        engineRef: "1003383421387257",
        state: "pending",
      },
    });
    const audio = CLOUD_PAYLOADS.voice();
    (
      (audio.entry[0]!.changes[0]!.value as Record<string, unknown>).messages as { audio: { voice: boolean } }[]
    )[0]!.audio.voice = false;
    expect(only(audio).content).toMatchObject({ kind: "audio" });
  });

  it("[document] its file name and caption", () => {
    expect(only(CLOUD_PAYLOADS.document()).content).toEqual({
      kind: "document",
      media: {
        mimeType: "application/pdf",
        sha256: CLOUD_HASHES.document,
        fileName: "lucky-shrub-invoice.pdf",
        engineRef: "1003383421387258",
        state: "pending",
      },
      caption: "Lucky Shrub Invoice",
    });
  });

  it("[location] coordinates, name and address", () => {
    expect(only(CLOUD_PAYLOADS.location()).content).toEqual({
      kind: "location",
      lat: 37.44216251868683,
      lng: -122.16153582049394,
      name: "Philz Coffee",
      address: "101 Forest Ave, Palo Alto, CA 94301",
    });
  });

  it("[contacts] Meta's contact objects as cards: the formatted name, WhatsApp numbers in E.164", () => {
    expect(only(CLOUD_PAYLOADS.contacts()).content).toEqual({
      kind: "contacts",
      contacts: [{ name: "Barbara J. Johnson", phones: ["+19405551234", "+1 (650) 555-1234"] }],
    });
  });

  it("[reaction] the emoji on the message it points at; an empty one takes it back", () => {
    const target = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3N0EyQUJDMjFEQzZCQUMzODMA";
    expect(only(CLOUD_PAYLOADS.reaction()).content).toEqual({
      kind: "reaction",
      emoji: "\u{1F600}",
      targetWaMessageId: target,
    });
    expect(only(CLOUD_PAYLOADS.reaction({ emoji: "" })).content).toEqual({
      kind: "reaction",
      emoji: "",
      targetWaMessageId: target,
    });
  });

  it("[interactive] a tapped reply button and a chosen list row, quoting the message they answer", () => {
    expect(only(CLOUD_PAYLOADS.buttonReply()).content).toEqual({
      kind: "button_reply",
      id: "orders",
      title: "Orders",
      quoted: { waMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA" },
    });
    expect(only(CLOUD_PAYLOADS.listReply()).content).toEqual({
      kind: "list_reply",
      id: "priority_express",
      title: "Express Shipping",
      description: "Next day to 2 days",
      quoted: { waMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUB" },
    });
  });

  it("[button] a template's quick reply is a button reply whose id is its payload", () => {
    expect(only(CLOUD_PAYLOADS.templateButton()).content).toEqual({
      kind: "button_reply",
      id: "unsubscribe-promos",
      title: "Stop promotions",
      quoted: { waMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NDQ5RTQ5NDQ1NzE4QkU4MjEA" },
    });
  });

  it("[context] a reply quotes the message it answers", () => {
    expect(only(CLOUD_PAYLOADS.quotedText()).content).toEqual({
      kind: "text",
      text: "Yes, the blue one please",
      quoted: { waMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNTRBNkFFQUUyMTg3QkQ0MDMA" },
    });
  });

  it("[unsupported] kept as unknown with Meta's title; a type Meta adds later too", () => {
    expect(only(CLOUD_PAYLOADS.unsupported()).content).toEqual({
      kind: "unknown",
      engineType: "unsupported",
      text: "Message type unknown",
    });
    expect(only(cloudMessageOf("poll", { poll: { question: "?" } })).content).toEqual({
      kind: "unknown",
      engineType: "poll",
    });
  });

  it("[system] a number change is skipped, with its reason", () => {
    const read = readCloudWebhook(CLOUD_PAYLOADS.system(), TARGET);
    expect(read.messages).toEqual([]);
    expect(read.skipped).toEqual([{ reason: "system notice", detail: "user_changed_number" }]);
  });
});

type TRecord = Record<string, unknown>;

function cloudMessageOf(type: string, fields: Record<string, unknown>) {
  const payload = CLOUD_PAYLOADS.text();
  const message = ((payload.entry[0]!.changes[0]!.value as Record<string, unknown>).messages as TRecord[])[0]!;
  delete message.text;
  Object.assign(message, { type, ...fields });
  return payload;
}

describe("readCloudWebhook: identities", () => {
  it("[bsuid] a user with a number, a BSUID and a username: from the number, both others as identities", () => {
    expect(only(CLOUD_PAYLOADS.phoneBsuidUsername())).toMatchObject({
      from: "+14155550123",
      identity: { bsuid: "US.13491208655302741918", username: "pablo.morales" },
      pushName: "Pablo Morales",
    });
  });

  it("[username] a user whose number Meta withholds is addressed by their BSUID", () => {
    const message = only(CLOUD_PAYLOADS.usernameOnly());
    expect(message.from).toBe("bsuid:US.13491208655302741918");
    expect(message.identity).toEqual({ username: "pablo.morales" });
  });

  it("[broken] a message with neither a number nor a BSUID still reaches ingest (which records it as rejected)", () => {
    const payload = cloudEnvelope({ messages: [{ id: "wamid.x", type: "text", text: { body: "hi" } }] });
    expect(only(payload)).toMatchObject({ from: "", waMessageId: "wamid.x" });
  });
});

describe("readCloudWebhook: statuses and the rest", () => {
  it("[status] sent, delivered and read with their time", () => {
    for (const status of ["sent", "delivered", "read"] as const) {
      const read = readCloudWebhook(CLOUD_PAYLOADS.status(status), TARGET);
      expect(read.statuses).toEqual([
        {
          sessionId: SESSION,
          waMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3N0EyQUJDMjFEQzZCQUMzODMA",
          status,
          at: new Date(1750263773 * 1000),
        },
      ]);
    }
  });

  it("[failed] Meta's code, title and details, and the words the message keeps", () => {
    const [status] = readCloudWebhook(CLOUD_PAYLOADS.status("failed"), TARGET).statuses;
    expect(status?.error).toEqual({
      code: 131049,
      title: "This message was not delivered to maintain healthy ecosystem engagement.",
      details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    });
    expect(describeCloudError(status?.error)).toBe(
      "Meta error 131049: This message was not delivered to maintain healthy ecosystem engagement. — In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    );
    expect(describeCloudError(undefined)).toBe("Meta reported the message as failed (no reason given)");
  });

  it("[number] a change for another number id is skipped; account errors are noted, not messages", () => {
    const other = readCloudWebhook(CLOUD_PAYLOADS.text(), { ...TARGET, phoneNumberId: "999999999999" });
    expect(other).toEqual({
      messages: [],
      statuses: [],
      skipped: [{ reason: "for another phone number id", detail: CLOUD_EXAMPLE.phoneNumberId }],
    });
    const errors = readCloudWebhook(CLOUD_PAYLOADS.errors(), TARGET);
    expect(errors.messages).toEqual([]);
    expect(errors.skipped[0]?.detail).toBe(
      "Meta error 130429: Rate limit hit — Cloud API message throughput has been reached.",
    );
  });

  it("[hostile] anything that is not Meta's shape reads as nothing, never throws", () => {
    for (const payload of [null, 1, "x", [], { object: "page" }, { object: "whatsapp_business_account", entry: 5 }]) {
      const read = readCloudWebhook(payload, TARGET);
      expect(read.messages).toEqual([]);
      expect(read.statuses).toEqual([]);
    }
    const odd = cloudEnvelope({
      messages: [{ from: 5, id: ["x"], type: "image", image: "nope", timestamp: "soon", context: 3 }],
      statuses: [{ id: "w", status: "exploded" }, "x"],
    });
    const read = readCloudWebhook(odd, TARGET);
    expect(read.messages[0]).toMatchObject({
      from: "+5",
      waMessageId: "",
      content: { kind: "image", media: { mimeType: "application/octet-stream" } },
    });
    expect(read.statuses).toEqual([]);
  });
});
