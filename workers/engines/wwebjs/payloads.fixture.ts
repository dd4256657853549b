/**
 * Raw message payloads in the shape WhatsApp Web's message model serializes to (what
 * whatsapp-web.js hands its `Message` class: `window.WWebJS.getMessageModel`), one per kind the
 * engine meets. Thumbnails and keys are shortened; field names, nesting and types are the
 * library's. mapping.test.ts runs them through the library's own `Message` class, then through
 * `mapInbound`, so a change in either shows.
 */

const OUR_NUMBER = "14155550100@c.us";
const CONTACT = "14155550123@c.us";
const T = 1_765_000_000;

function base(id: string, type: string, extra: Record<string, unknown> = {}, fromMe = false) {
  const remote = CONTACT;
  return {
    id: { fromMe, remote, id, _serialized: `${fromMe}_${remote}_${id}` },
    type,
    t: T,
    from: fromMe ? OUR_NUMBER : CONTACT,
    to: fromMe ? CONTACT : OUR_NUMBER,
    ack: fromMe ? 1 : 0,
    notifyName: fromMe ? "" : "Ana Lima",
    isNewMsg: true,
    star: false,
    broadcast: false,
    isForwarded: false,
    hasReaction: false,
    ...extra,
  };
}

export const RAW_PAYLOADS = {
  text: base("3EB0C4A1F2D3E4F5A6B7", "chat", { body: "Hello, is the shop open today?" }),
  image: base("3EB0IMAGE0000000001", "image", {
    body: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODw",
    caption: "the broken part",
    directPath: "/v/t62.7118-24/12345_67890.enc?ccb=11-4",
    mediaKey: "aGVsbG8gbWVkaWEga2V5",
    mimetype: "image/jpeg",
    size: 48_213,
    width: 1280,
    height: 960,
  }),
  voice: base("3EB0VOICE000000001", "ptt", {
    body: "",
    directPath: "/v/t62.7117-24/23456_78901.enc?ccb=11-4",
    mediaKey: "dm9pY2UgbWVkaWEga2V5",
    mimetype: "audio/ogg; codecs=opus",
    size: 9_876,
    duration: 7,
  }),
  document: base("3EB0DOC00000000001", "document", {
    body: "",
    caption: "",
    directPath: "/v/t62.7119-24/34567_89012.enc?ccb=11-4",
    mediaKey: "ZG9jIG1lZGlhIGtleQ==",
    mimetype: "application/pdf",
    filename: "invoice-2041.pdf",
    size: 120_044,
    pageCount: 2,
  }),
  sticker: base("3EB0STICKER0000001", "sticker", {
    body: "",
    directPath: "/v/t62.15575-24/45678_90123.enc?ccb=11-4",
    mediaKey: "c3RpY2tlciBrZXk=",
    mimetype: "image/webp",
    size: 20_480,
  }),
  location: base("3EB0LOCATION000001", "location", {
    body: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U",
    lat: 38.7223,
    lng: -9.1393,
    loc: "Praça do Comércio\nLisbon, Portugal",
    clientUrl: "https://maps.example/praca",
  }),
  contactCard: base("3EB0VCARD000000001", "vcard", {
    body: "BEGIN:VCARD\nVERSION:3.0\nFN:Jo Silva\nTEL;type=CELL;waid=14155550177:+1 415 555 0177\nEND:VCARD",
    vcardFormattedName: "Jo Silva",
  }),
  contactCards: base("3EB0MVCARD00000001", "multi_vcard", {
    body: "2 contacts",
    vcardList: [
      { displayName: "Jo", vcard: "BEGIN:VCARD\nVERSION:3.0\nFN:Jo\nEND:VCARD" },
      { displayName: "Bo", vcard: "BEGIN:VCARD\nVERSION:3.0\nFN:Bo\nEND:VCARD" },
    ],
  }),
  reaction: base("3EB0REACTION000001", "reaction", { body: "" }),
  video: base("3EB0VIDEO000000001", "video", {
    body: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODw",
    caption: "how it sounds",
    directPath: "/v/t62.7161-24/56789_01234.enc?ccb=11-4",
    mediaKey: "dmlkZW8ga2V5",
    mimetype: "video/mp4",
    size: 1_048_576,
    duration: "12",
    width: 720,
    height: 1280,
    filehash: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
  }),
  audio: base("3EB0AUDIO000000001", "audio", {
    body: "",
    directPath: "/v/t62.7114-24/67890_12345.enc?ccb=11-4",
    mediaKey: "YXVkaW8ga2V5",
    mimetype: "audio/mpeg",
    size: 2_900_000,
    duration: 184,
  }),
  /** A photo whose file is not available yet (no `directPath`): the body is its thumbnail. */
  imagePending: base("3EB0IMAGE0000000002", "image", {
    body: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODw",
    caption: "before it downloads",
    mimetype: "image/jpeg",
  }),
  buttonReply: base("3EB0BUTTON00000001", "buttons_response", { body: "Yes please", selectedButtonId: "yes" }),
  templateButtonReply: base("3EB0TPLBUTTON00001", "template_button_reply", {
    body: "Track my order",
    selectedId: "track",
    selectedIndex: 0,
  }),
  listReply: base("3EB0LIST0000000001", "list_response", {
    body: "Tuesday",
    listResponse: {
      title: "Tuesday",
      description: "10:00 to 12:00",
      listType: 1,
      singleSelectReply: { selectedRowId: "row-tue" },
    },
  }),
  poll: base("3EB0POLL0000000001", "poll_creation", {
    body: "",
    pollName: "Lunch on Friday?",
    pollOptions: [
      { name: "Yes", localId: 0 },
      { name: "No", localId: 1 },
    ],
    pollSelectableOptionsCount: 1,
  }),
  revoked: base("3EB0REVOKED0000001", "revoked", { body: "" }),
  e2eNotice: base("3EB0E2E00000000001", "e2e_notification", { body: "", subtype: "encrypt" }),
  /** A text replying to (quoting) a message we sent. */
  replyToUs: base("3EB0REPLY000000001", "chat", {
    body: "Yes, that one",
    quotedStanzaID: "3EB0OURS0000000001",
    quotedParticipant: { server: "c.us", user: "14155550100", _serialized: OUR_NUMBER },
    quotedMsg: { type: "chat", body: "Is this the part you need?" },
  }),
  /** A photo replying to one of the contact's own messages. */
  replyToSelf: base("3EB0REPLY000000002", "image", {
    body: "",
    caption: "this",
    directPath: "/v/t62.7118-24/1_2.enc",
    mimetype: "image/png",
    quotedStanzaID: "3EB0C4A1F2D3E4F5A6B7",
    quotedParticipant: CONTACT,
    quotedMsg: { type: "chat", body: "Hello, is the shop open today?" },
  }),
  group: {
    ...base("3EB0GROUP000000001", "chat", { body: "group chatter" }),
    from: "120363000000000000@g.us",
    author: CONTACT,
    id: {
      fromMe: false,
      remote: "120363000000000000@g.us",
      id: "3EB0GROUP000000001",
      participant: CONTACT,
      _serialized: `false_120363000000000000@g.us_3EB0GROUP000000001_${CONTACT}`,
    },
  },
  status: {
    ...base("3EB0STATUS00000001", "chat", { body: "a status", isStatusV3: true }),
    from: "status@broadcast",
    id: {
      fromMe: false,
      remote: "status@broadcast",
      id: "3EB0STATUS00000001",
      _serialized: "false_status@broadcast_3EB0STATUS00000001",
    },
  },
  channel: {
    ...base("3EB0CHANNEL0000001", "chat", { body: "news" }),
    from: "120363111111111111@newsletter",
  },
  /** Typed on the linked phone: `message_create`, from our number to the contact. */
  typedOnPhone: base("3A1F2E3D4C5B6A798877", "chat", { body: "Hi, it's Ana from the shop" }, true),
} as const;

/**
 * Reactions as WhatsApp Web hands them to whatsapp-web.js's `Reaction` class (`message_reaction`):
 * the reaction's key, the key of the message it is on, who reacted, the emoji (empty: taken back).
 */
export const RAW_REACTIONS = {
  onOurMessage: {
    msgKey: {
      fromMe: false,
      remote: CONTACT,
      id: "3EB0REACT000000001",
      _serialized: `false_${CONTACT}_3EB0REACT000000001`,
    },
    parentMsgKey: {
      fromMe: true,
      remote: CONTACT,
      id: "3EB0OURS0000000001",
      _serialized: `true_${CONTACT}_3EB0OURS0000000001`,
    },
    reactionText: "👍",
    senderUserJid: CONTACT,
    timestamp: T,
    orphan: 0,
    read: false,
    ack: 0,
  },
  takenBack: {
    msgKey: {
      fromMe: false,
      remote: CONTACT,
      id: "3EB0REACT000000002",
      _serialized: `false_${CONTACT}_3EB0REACT000000002`,
    },
    parentMsgKey: {
      fromMe: true,
      remote: CONTACT,
      id: "3EB0OURS0000000001",
      _serialized: `true_${CONTACT}_3EB0OURS0000000001`,
    },
    reactionText: "",
    senderUserJid: CONTACT,
    timestamp: T + 5,
    orphan: 0,
  },
  ours: {
    msgKey: {
      fromMe: true,
      remote: CONTACT,
      id: "3EB0REACT000000003",
      _serialized: `true_${CONTACT}_3EB0REACT000000003`,
    },
    parentMsgKey: {
      fromMe: false,
      remote: CONTACT,
      id: "3EB0C4A1F2D3E4F5A6B7",
      _serialized: `false_${CONTACT}_3EB0C4A1F2D3E4F5A6B7`,
    },
    reactionText: "❤️",
    senderUserJid: OUR_NUMBER,
    timestamp: T,
    orphan: 0,
  },
  inGroup: {
    msgKey: {
      fromMe: false,
      remote: "120363000000000000@g.us",
      id: "3EB0REACT000000004",
      _serialized: "false_120363000000000000@g.us_3EB0REACT000000004",
    },
    parentMsgKey: {
      fromMe: false,
      remote: "120363000000000000@g.us",
      id: "3EB0X",
      _serialized: "false_120363000000000000@g.us_3EB0X",
    },
    reactionText: "😂",
    senderUserJid: CONTACT,
    timestamp: T,
    orphan: 0,
  },
} as const;

export const FIXTURE = { OUR_NUMBER, CONTACT, T };
