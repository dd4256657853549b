import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import path from "node:path";
import type * as WAWebJS from "whatsapp-web.js";
import { CHROMIUM_FLAGS } from "~/server/lib/chromium";
import type { TPostgresAuthStore } from "~/server/sessions/auth-store";

/** The library's `MessageMedia`: a downloaded file, whole, as one base64 string (it comes out of the browser page). */
export type TWwebjsMessageMedia = {
  mimetype: string;
  data: string;
  filename?: string | null;
  filesize?: number | null;
};

/** The part of whatsapp-web.js's Message the engine reads (the fake client in tests has the same shape). */
export type TWwebjsMessage = {
  id: { _serialized: string; fromMe: boolean };
  from: string;
  to: string;
  author?: string;
  body: string;
  type: string;
  timestamp: number;
  fromMe: boolean;
  hasMedia: boolean;
  /** The file of a media message; undefined when WhatsApp no longer has it (or it has none). */
  downloadMedia?: () => Promise<TWwebjsMessageMedia | undefined | null>;
  ack?: number;
  isStatus?: boolean;
  location?: {
    latitude: number | string;
    longitude: number | string;
    name?: string;
    address?: string;
    description?: string;
  };
  vCards?: string[];
  /** A voice note's or video's length in seconds (the library passes WhatsApp's value through: a number or a numeric string). */
  duration?: number | string;
  hasQuotedMsg?: boolean;
  /** The button a contact pressed (`buttons_response`). */
  selectedButtonId?: string;
  /** The list row a contact chose (`list_response`). */
  selectedRowId?: string;
  /** WhatsApp Web's own message model, serialized: what the library read the fields above from. */
  _data?: {
    notifyName?: string;
    /** `senderPn`: the sender's phone number (`…@c.us`) when the message comes from a LID (`…@lid`). */
    senderPn?: string;
    mimetype?: string;
    filename?: string;
    size?: number;
    caption?: string;
    filehash?: string;
    width?: number;
    height?: number;
    /** The quoted message's id (without chat or direction) and its author, on a reply. */
    quotedStanzaID?: string;
    quotedParticipant?: string | { _serialized: string };
    quotedMsg?: unknown;
    listResponse?: { title?: string; description?: string; singleSelectReply?: { selectedRowId?: string } };
    /** A template button's id (`template_button_reply`). */
    selectedId?: string;
    pollName?: string;
  };
};

/**
 * A reaction as the library emits it (`message_reaction`, its `Reaction` class): the reaction's
 * own id, the message it is on, who reacted, the emoji (empty when taken back), when (seconds).
 */
export type TWwebjsReaction = {
  id: { _serialized: string; fromMe: boolean; remote?: string | { _serialized: string } };
  msgId: { _serialized: string; fromMe?: boolean; remote?: string | { _serialized: string } };
  senderId: string;
  reaction: string;
  timestamp: number;
  orphan?: number;
};

/** What the engine passes as `sendMessage`'s options (the library's `MessageSendOptions`, in part). */
export type TWwebjsSendOptions = {
  caption?: string;
  sendAudioAsVoice?: boolean;
  sendMediaAsDocument?: boolean;
  sendMediaAsSticker?: boolean;
};

/** The library's MessageMedia and Location (instances of its own classes: it checks with instanceof). */
export type TWwebjsSendable = WAWebJS.MessageMedia | WAWebJS.Location;

/** The library's classes the engine builds messages with, loaded on first use (nothing else imports whatsapp-web.js). */
export function wwebjsClasses(): Pick<typeof WAWebJS, "MessageMedia" | "Location"> {
  const { MessageMedia, Location } = createRequire(import.meta.url)("whatsapp-web.js") as typeof WAWebJS;
  return { MessageMedia, Location };
}

/** The part of whatsapp-web.js's Client the engine uses. */
export type TWwebjsClient = EventEmitter & {
  initialize: () => Promise<void>;
  destroy: () => Promise<void>;
  logout: () => Promise<void>;
  sendMessage: (
    chatId: string,
    content: string | TWwebjsSendable,
    options?: TWwebjsSendOptions,
  ) => Promise<TWwebjsMessage>;
  getChatById: (chatId: string) => Promise<{ sendStateTyping: () => Promise<void>; clearState: () => Promise<void> }>;
  /** A message by its id, read again from WhatsApp Web (null when it does not know it). */
  getMessageById?: (messageId: string) => Promise<TWwebjsMessage | null | undefined>;
  /** The LID and phone number (`pn`) WhatsApp knows for each user id (either may be missing). */
  getContactLidAndPhone?: (userIds: string[]) => Promise<{ lid?: string; pn?: string }[]>;
  info?: { wid?: { user?: string } };
  pupBrowser?: { process: () => { pid?: number; kill: (signal?: NodeJS.Signals) => boolean } | null } | null;
};

export type TWwebjsClientFactory = (options: {
  sessionId: string;
  store: TPostgresAuthStore;
  dataPath: string;
  chromiumPath: string;
  webVersion: string | null;
}) => TWwebjsClient;

/** The real whatsapp-web.js client on the system Chromium, with the session in Postgres. */
export const createRealWwebjsClient: TWwebjsClientFactory = (options) => {
  // Loaded here only, on first use: nothing else imports whatsapp-web.js.
  const { Client, RemoteAuth } = createRequire(import.meta.url)("whatsapp-web.js") as typeof WAWebJS;
  return new Client({
    authStrategy: new RemoteAuth({
      clientId: options.sessionId,
      store: options.store,
      dataPath: options.dataPath,
      backupSyncIntervalMs: 300_000,
    }),
    puppeteer: {
      executablePath: options.chromiumPath,
      headless: true,
      args: CHROMIUM_FLAGS,
    },
    ...(options.webVersion
      ? {
          webVersion: options.webVersion,
          webVersionCache: { type: "local", path: path.join(options.dataPath, "web-version-cache") },
        }
      : {}),
  }) as unknown as TWwebjsClient;
};
