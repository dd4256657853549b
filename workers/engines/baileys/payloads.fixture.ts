/**
 * Messages in the shape Baileys 6.17 emits them in `messages.upsert` (`proto.IWebMessageInfo`),
 * one per kind the engine meets, written as the plain objects `proto.WebMessageInfo.fromObject`
 * takes (bytes as base64, 64-bit numbers as numbers). mapping.test.ts runs each through the
 * library's own protobuf encode and decode, so what `mapInbound` sees is what comes off the
 * wire: Buffers for bytes, Longs for timestamps and file lengths. Keys, hashes and paths are
 * made up but of the real lengths and forms.
 */

const CONTACT = "5511987654321@s.whatsapp.net";
const CONTACT_LID = "204805337829451@lid";
const OUR_NUMBER = "14155550100@s.whatsapp.net";
const T = 1_765_000_000;

const KEY_32 = "n7Vq5rXK0y1m2QeB8wYtL3cZs9HdJ4fG6uAiPoRkE1M=";
const SHA_A = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const SHA_B = "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=";

function message(
  id: string,
  content: Record<string, unknown> | null,
  extra: { fromMe?: boolean; remoteJid?: string; pushName?: string } & Record<string, unknown> = {},
) {
  const { fromMe = false, remoteJid = CONTACT, pushName = fromMe ? undefined : "Ana Lima", ...rest } = extra;
  return {
    key: { remoteJid, fromMe, id },
    messageTimestamp: T,
    ...(pushName ? { pushName } : {}),
    ...(content ? { message: content } : {}),
    ...rest,
  };
}

function mediaFields(kind: string, extra: Record<string, unknown> = {}) {
  const path = `/v/t62.7118-24/29384756_1029384756473829_${kind}_n.enc?ccb=11-4&oh=01_Q5AaIExample&oe=6612ABCD&_nc_sid=5e03e0`;
  return {
    url: `https://mmg.whatsapp.net${path}&mms3=true`,
    directPath: path,
    mediaKey: KEY_32,
    fileSha256: SHA_A,
    fileEncSha256: SHA_B,
    mediaKeyTimestamp: T - 5,
    ...extra,
  };
}

/** A quote of message `stanzaId` (the contact replying to our message). */
const quoting = (stanzaId: string) => ({
  contextInfo: { stanzaId, participant: OUR_NUMBER, quotedMessage: { conversation: "Our opening hours are 9 to 5" } },
});

export const BAILEYS_PAYLOADS = {
  conversation: message("3EB0C4A1F2D3E4F5A6B7", { conversation: "Hello, is the shop open today?" }),
  extendedText: message("3EB0EXT000000000001", {
    extendedTextMessage: { text: "See https://example.com/order/42", matchedText: "https://example.com/order/42" },
  }),
  quotedReply: message("3EB0QUOTE0000000001", {
    extendedTextMessage: { text: "And on Sunday?", ...quoting("3EB0OURS00000000042") },
  }),
  image: message("3EB0IMAGE0000000001", {
    imageMessage: mediaFields("image", {
      mimetype: "image/jpeg",
      caption: "the broken part",
      fileLength: 48_213,
      width: 1280,
      height: 960,
      jpegThumbnail: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODw==",
    }),
  }),
  video: message("3EB0VIDEO0000000001", {
    videoMessage: mediaFields("video", {
      mimetype: "video/mp4",
      caption: "how it sounds",
      fileLength: 1_048_576,
      seconds: 12,
    }),
  }),
  audio: message("3EB0AUDIO0000000001", {
    audioMessage: mediaFields("audio", { mimetype: "audio/mpeg", fileLength: 240_000, seconds: 15, ptt: false }),
  }),
  voice: message("3EB0VOICE0000000001", {
    audioMessage: mediaFields("voice", {
      mimetype: "audio/ogg; codecs=opus",
      fileLength: 9_876,
      seconds: 7,
      ptt: true,
      waveform: "AAUMEhcbHyIlJyknJiUjIR4bGBQRDgsIBgQDAgEAAA==",
    }),
  }),
  document: message("3EB0DOC00000000001", {
    documentMessage: mediaFields("document", {
      mimetype: "application/pdf",
      fileName: "invoice-2041.pdf",
      title: "invoice-2041",
      fileLength: 120_044,
      pageCount: 2,
    }),
  }),
  /** A document sent with a caption: WhatsApp wraps it in `documentWithCaptionMessage`. */
  documentWithCaption: message("3EB0DOCCAP00000001", {
    documentWithCaptionMessage: {
      message: {
        documentMessage: mediaFields("doccap", {
          mimetype: "application/pdf",
          fileName: "receipt.pdf",
          caption: "here is the receipt",
          fileLength: 5_000,
        }),
      },
    },
  }),
  sticker: message("3EB0STICKER00000001", {
    stickerMessage: mediaFields("sticker", {
      mimetype: "image/webp",
      fileLength: 18_000,
      width: 512,
      height: 512,
      isAnimated: false,
    }),
  }),
  /** A photo in a disappearing chat, sent to be viewed once: two wrappers. */
  viewOnceInEphemeral: message("3EB0VIEWONCE000001", {
    ephemeralMessage: {
      message: {
        viewOnceMessageV2: {
          message: {
            imageMessage: mediaFields("viewonce", { mimetype: "image/jpeg", viewOnce: true, fileLength: 30_000 }),
          },
        },
      },
    },
  }),
  ephemeralText: message("3EB0EPHEMERAL00001", {
    ephemeralMessage: {
      message: { extendedTextMessage: { text: "this disappears", contextInfo: { expiration: 604_800 } } },
    },
  }),
  location: message("3EB0LOC00000000001", {
    locationMessage: {
      degreesLatitude: 38.7223,
      degreesLongitude: -9.1393,
      name: "Switchboard Bakery",
      address: "Rua Augusta 100, Lisboa",
    },
  }),
  liveLocation: message("3EB0LIVE0000000001", {
    liveLocationMessage: {
      degreesLatitude: -23.5505,
      degreesLongitude: -46.6333,
      caption: "on my way",
      sequenceNumber: 1,
    },
  }),
  contact: message("3EB0VCARD000000001", {
    contactMessage: {
      displayName: "Bruno Costa",
      vcard:
        "BEGIN:VCARD\nVERSION:3.0\nN:Costa;Bruno;;;\nFN:Bruno Costa\nTEL;type=CELL;type=VOICE;waid=5511912345678:+55 11 91234-5678\nEND:VCARD",
    },
  }),
  contacts: message("3EB0VCARDS00000001", {
    contactsArrayMessage: {
      displayName: "2 contacts",
      contacts: [
        {
          displayName: "Carla Dias",
          vcard: "BEGIN:VCARD\nVERSION:3.0\nFN:Carla Dias\nTEL;type=CELL;waid=351912345678:+351 912 345 678\nEND:VCARD",
        },
        {
          displayName: "Office",
          vcard: "BEGIN:VCARD\nVERSION:3.0\nFN:Office\nTEL;type=WORK:+1 415 555 0100\nEND:VCARD",
        },
      ],
    },
  }),
  reaction: message("3EB0REACT000000001", {
    reactionMessage: {
      key: { remoteJid: CONTACT, fromMe: true, id: "3EB0OURS00000000042" },
      text: "👍",
      senderTimestampMs: T * 1000,
    },
  }),
  reactionRemoved: message("3EB0REACT000000002", {
    reactionMessage: {
      key: { remoteJid: CONTACT, fromMe: true, id: "3EB0OURS00000000042" },
      text: "",
      senderTimestampMs: T * 1000,
    },
  }),
  buttonsResponse: message("3EB0BUTTON00000001", {
    buttonsResponseMessage: {
      selectedButtonId: "yes",
      selectedDisplayText: "Yes, please",
      type: 1,
      ...quoting("3EB0OURS00000000043"),
    },
  }),
  templateButtonReply: message("3EB0TPLBTN00000001", {
    templateButtonReplyMessage: { selectedId: "track-order", selectedDisplayText: "Track my order", selectedIndex: 0 },
  }),
  listResponse: message("3EB0LIST0000000001", {
    listResponseMessage: {
      title: "Returns",
      listType: 1,
      singleSelectReply: { selectedRowId: "row-2" },
      description: "Send something back",
    },
  }),
  interactiveResponse: message("3EB0NATIVE00000001", {
    interactiveResponseMessage: {
      body: { text: "Opening hours", format: 1 },
      nativeFlowResponseMessage: { name: "quick_reply", paramsJson: '{"id":"hours"}', version: 3 },
    },
  }),
  interactiveList: message("3EB0NATIVE00000002", {
    interactiveResponseMessage: {
      body: { text: "Returns" },
      nativeFlowResponseMessage: { name: "single_select", paramsJson: '{"id":"row-2","title":"Returns"}', version: 3 },
    },
  }),
  poll: message("3EB0POLL0000000001", {
    pollCreationMessageV3: {
      name: "Which day suits you?",
      options: [{ optionName: "Monday" }, { optionName: "Friday" }],
      selectableOptionsCount: 1,
    },
  }),
  /** A message that holds a group key beside the text (the first message of a new device). */
  withSenderKey: message("3EB0SKD00000000001", {
    senderKeyDistributionMessage: { groupId: "120363025246125486@g.us", axolotlSenderKeyDistributionMessage: SHA_A },
    conversation: "hi again",
  }),
  /** From a contact known only by their LID. */
  fromLid: message("3EB0LID00000000001", { conversation: "written from a LID" }, { remoteJid: CONTACT_LID }),

  // What is never a contact's message.
  ours: message("3EB0OURS00000000044", { conversation: "sent by us" }, { fromMe: true }),
  group: message(
    "3EB0GROUP000000001",
    { conversation: "hello group" },
    { remoteJid: "120363025246125486@g.us", participant: CONTACT },
  ),
  status: message(
    "3EB0STATUS00000001",
    { conversation: "my status" },
    { remoteJid: "status@broadcast", participant: CONTACT },
  ),
  newsletter: message(
    "3EB0NEWS0000000001",
    { conversation: "channel post" },
    { remoteJid: "120363144038483540@newsletter" },
  ),
  revoke: message("3EB0REVOKE00000001", {
    protocolMessage: { key: { remoteJid: CONTACT, fromMe: false, id: "3EB0C4A1F2D3E4F5A6B7" }, type: 0 },
  }),
  ephemeralSetting: message("3EB0EPHSET00000001", {
    ephemeralMessage: { message: { protocolMessage: { type: 3, ephemeralExpiration: 604_800 } } },
  }),
  historyNotice: message("3EB0HISTORY0000001", {
    protocolMessage: { type: 5, historySyncNotification: { syncType: 2, chunkOrder: 1 } },
  }),
  senderKeyOnly: message("3EB0SKDONLY0000001", {
    senderKeyDistributionMessage: { groupId: "120363025246125486@g.us", axolotlSenderKeyDistributionMessage: SHA_A },
  }),
  /** A message Baileys could not decrypt yet (`CIPHERTEXT` stub): it comes again under the same id once it can. */
  ciphertextStub: message("3EB0STUB0000000001", null, {
    messageStubType: 2,
    messageStubParameters: ["No session record"],
  }),

  // Typed on the linked phone by a person.
  phoneText: message("3EB0PHONE000000001", { conversation: "I'll handle this one" }, { fromMe: true }),
  phoneImage: message(
    "3EB0PHONE000000002",
    {
      imageMessage: mediaFields("phone", { mimetype: "image/jpeg", caption: "the new catalogue", fileLength: 70_000 }),
    },
    { fromMe: true },
  ),
  phoneToLid: message(
    "3EB0PHONE000000003",
    { conversation: "to a LID chat" },
    { fromMe: true, remoteJid: CONTACT_LID },
  ),
} as const;

export const FIXTURE = { CONTACT, CONTACT_LID, OUR_NUMBER, T, KEY_32, SHA_A };
