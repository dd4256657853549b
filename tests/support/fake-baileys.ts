import { randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { Boom } from "@hapi/boom";
import { DisconnectReason } from "@whiskeysockets/baileys";
import type {
  AnyMessageContent,
  BaileysEventMap,
  Contact,
  MiscMessageGenerationOptions,
  WAMessage,
  WAPresence,
} from "@whiskeysockets/baileys";
import type { TBaileysEngineOptions } from "~/workers/engines/baileys/config";
import type { TBaileysSocket, TBaileysSocketConfig, TBaileysSocketFactory } from "~/workers/engines/baileys/socket";

export const FAKE_BAILEYS_APP_SECRET = "b".repeat(40);

/**
 * The codes a test closes a socket with: the library's own `DisconnectReason` (the engine keeps
 * a copy, since it loads the library lazily; lifecycle.test.ts checks the copy against this).
 */
export const FAKE_DISCONNECT = DisconnectReason;

/** A WAMessage as Baileys delivers a contact's text (realistic key, timestamp, pushName). */
export function textMessage(
  from: string,
  text: string,
  options: { id?: string; at?: Date; pushName?: string; fromMe?: boolean } = {},
): WAMessage {
  return {
    key: {
      remoteJid: from,
      fromMe: options.fromMe ?? false,
      id: options.id ?? `3A${randomBytes(9).toString("hex").toUpperCase()}`,
    },
    messageTimestamp: Math.floor((options.at ?? new Date()).getTime() / 1000),
    ...(options.fromMe ? {} : { pushName: options.pushName ?? "Fake contact" }),
    message: { conversation: text },
  };
}

/**
 * A stand-in for one Baileys socket (`makeWASocket`'s return), driven by the test: Baileys' own
 * event names and payload shapes on `ev`. Like the library it reads `config.auth.creds`: with
 * `creds.me` it logs in (connecting → open, no QR; it reads back the signal key it stored when
 * linked, as the real protocol needs its keys), else it shows QR codes. `scan()` plays the phone
 * scanning: creds and keys written through OUR auth state, then a 515 "restart required" close,
 * as WhatsApp does after pairing; the next socket opens.
 */
export class FakeBaileysSocket implements TBaileysSocket {
  readonly ev: TBaileysSocket["ev"] & {
    emit: <T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]) => boolean;
  };
  user: Contact | undefined;
  state: "connecting" | "qr" | "open" | "closed" = "connecting";
  readonly qrs: string[] = [];
  readonly sent: {
    jid: string;
    content: AnyMessageContent;
    options?: MiscMessageGenerationOptions;
    message: WAMessage;
  }[] = [];
  readonly presenceUpdates: { type: WAPresence; jid?: string }[] = [];
  readonly subscriptions: string[] = [];
  readonly pairingRequests: string[] = [];
  loggedOut = false;
  ended = false;
  /** With stored creds: whether the signal key stored at linking was read back from our store. */
  restoredKey: boolean | null = null;
  private qrTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: TBaileysSocketConfig,
    private readonly phone: TFakeBaileysPhone,
  ) {
    const emitter = new EventEmitter();
    this.ev = {
      on: (event, listener) => void emitter.on(event, listener as never),
      off: (event, listener) => void emitter.off(event, listener as never),
      emit: (event, arg) => emitter.emit(event, arg),
    };
    setImmediate(() => void this.boot());
  }

  private async boot() {
    if (this.ended) return;
    this.ev.emit("connection.update", { connection: "connecting", receivedPendingNotifications: false });
    if (this.phone.failWith) {
      this.close(this.phone.failWith);
      return;
    }
    const creds = this.config.auth.creds;
    if (creds.me) {
      const stored = await this.config.auth.keys.get("pre-key", ["1"]);
      this.restoredKey = Boolean(stored["1"]?.public);
      if (this.ended) return;
      this.open();
      return;
    }
    this.showQr();
    this.qrTimer = setInterval(() => this.showQr(), this.phone.qrRefreshMs);
    this.qrTimer.unref();
  }

  private showQr() {
    if (this.ended || this.state === "open") return;
    this.state = "qr";
    const qr = `2@fake-qr-${this.qrs.length + 1}-${randomUUID()},${randomBytes(8).toString("base64")}`;
    this.qrs.push(qr);
    this.ev.emit("connection.update", { qr });
    if (this.phone.autoScan && this.qrs.length === 1) setTimeout(() => void this.scan(), 50).unref();
  }

  private open() {
    if (this.ended) return;
    clearInterval(this.qrTimer);
    this.state = "open";
    this.user = { id: this.config.auth.creds.me!.id, name: "Fake phone" };
    this.ev.emit("connection.update", { connection: "open", receivedPendingNotifications: true });
    if (this.phone.closeAfterOpenMs !== undefined) {
      setTimeout(() => this.close(FAKE_DISCONNECT.connectionClosed), this.phone.closeAfterOpenMs).unref();
    }
  }

  /** The phone links this device (QR scanned, or the pairing code typed): creds and keys through our store, then 515. */
  async scan() {
    const creds = this.config.auth.creds;
    const update = {
      me: { id: `${this.phone.number}:12@s.whatsapp.net`, name: "Fake phone", lid: `${this.phone.lid}:12@lid` },
      account: { details: Buffer.from("fake-device-identity"), accountSignatureKey: randomBytes(32) },
      platform: "android",
      registered: creds.pairingCode !== undefined ? true : creds.registered,
    };
    Object.assign(creds, update);
    this.ev.emit("creds.update", update);
    await this.config.auth.keys.set({
      "pre-key": { "1": { public: randomBytes(32), private: randomBytes(32) } },
      session: { [`${this.phone.number}.0`]: randomBytes(64) },
    });
    this.close(FAKE_DISCONNECT.restartRequired);
  }

  /** A contact's messages arrive (`notify`: live; `append`: synced after downtime). */
  deliver(messages: WAMessage | WAMessage[], type: "notify" | "append" = "notify") {
    this.ev.emit("messages.upsert", { messages: Array.isArray(messages) ? messages : [messages], type });
  }

  /** A person types on the linked phone itself. */
  typeOnPhone(to: string, text: string) {
    const message = textMessage(to, text, { fromMe: true });
    this.deliver(message, "notify");
    return message;
  }

  /** A receipt of our message (proto.WebMessageInfo.Status: 3 delivered, 4 read). */
  receipt(to: string, id: string, status: number) {
    this.ev.emit("messages.update", [{ key: { remoteJid: to, fromMe: true, id }, update: { status } }]);
  }

  presence(jid: string, state: "composing" | "recording" | "available" | "unavailable" | "paused") {
    this.ev.emit("presence.update", { id: jid, presences: { [jid]: { lastKnownPresence: state } } });
  }

  phoneNumberShare(lid: string, jid: string) {
    this.ev.emit("chats.phoneNumberShare", { lid, jid });
  }

  /** The connection closes: a DisconnectReason code (as a Boom, as Baileys reports it) or any error. */
  close(reason: number | Error) {
    if (this.state === "closed") return;
    clearInterval(this.qrTimer);
    this.state = "closed";
    const error = typeof reason === "number" ? new Boom(`Stream Errored (${reason})`, { statusCode: reason }) : reason;
    this.ev.emit("connection.update", { connection: "close", lastDisconnect: { error, date: new Date() } });
  }

  sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions) {
    if (this.state !== "open") return Promise.reject(new Boom("Connection Closed", { statusCode: 428 }));
    const text = "text" in content ? content.text : "";
    const message: WAMessage = {
      key: {
        remoteJid: jid,
        fromMe: true,
        id: options?.messageId ?? `3EB0${randomBytes(9).toString("hex").toUpperCase()}`,
      },
      messageTimestamp: Math.floor(Date.now() / 1000),
      message: { extendedTextMessage: { text } },
      status: 1,
    };
    this.sent.push({ jid, content, ...(options ? { options } : {}), message });
    // emitOwnEvents: the library announces our own send as an `append` upsert, after returning.
    process.nextTick(() => this.deliver(message, "append"));
    return Promise.resolve(message);
  }

  requestPairingCode(phoneNumber: string) {
    // As the library does: a code, and `me` set to the number (not linked yet), saved through creds.update.
    const creds = this.config.auth.creds;
    creds.pairingCode = randomBytes(4).toString("hex").toUpperCase();
    creds.me = { id: `${phoneNumber}@s.whatsapp.net`, name: "~" };
    this.ev.emit("creds.update", creds);
    this.pairingRequests.push(phoneNumber);
    return Promise.resolve(creds.pairingCode);
  }

  presenceSubscribe(jid: string) {
    this.subscriptions.push(jid);
    return Promise.resolve();
  }

  sendPresenceUpdate(type: WAPresence, jid?: string) {
    this.presenceUpdates.push({ type, ...(jid ? { jid } : {}) });
    return Promise.resolve();
  }

  logout() {
    this.loggedOut = true;
    this.close(FAKE_DISCONNECT.loggedOut);
    return Promise.resolve();
  }

  end(error: Error | undefined) {
    this.ended = true;
    clearInterval(this.qrTimer);
    if (this.state !== "closed") this.close(error ?? new Boom("Connection Closed", { statusCode: 428 }));
  }
}

/** What WhatsApp knows of the phone (shared by every socket the factory makes). */
export type TFakeBaileysPhone = {
  number: string;
  lid: string;
  qrRefreshMs: number;
  /** Every socket closes this long after it opened (a flapping connection). */
  closeAfterOpenMs?: number;
  /** The phone scans the first QR each socket shows (a worker in a child process links by itself). */
  autoScan?: boolean;
  /** Every socket fails to connect with this error. */
  failWith?: Error;
};

/** A factory of fake sockets with the real one's signature; `sockets` in creation order. */
export function createFakeBaileys(phone: Partial<TFakeBaileysPhone> = {}) {
  const sockets: FakeBaileysSocket[] = [];
  const shared: TFakeBaileysPhone = { number: "14155550100", lid: "98765432101234", qrRefreshMs: 20_000, ...phone };
  const factory: TBaileysSocketFactory = (config) => {
    const socket = new FakeBaileysSocket(config, shared);
    sockets.push(socket);
    return Promise.resolve(socket);
  };
  return { factory, sockets, phone: shared };
}

/** Engine options for a pipeline's worker: the fake factory, short backoff. */
export function fakeBaileysOptions(
  factory: TBaileysSocketFactory,
  overrides: Partial<TBaileysEngineOptions> = {},
): TBaileysEngineOptions {
  return {
    createSocket: factory,
    appSecret: FAKE_BAILEYS_APP_SECRET,
    readyTimeoutMs: 30_000,
    minBackoffMs: 50,
    maxBackoffMs: 500,
    libraryLogLevel: "silent",
    ...overrides,
  };
}
