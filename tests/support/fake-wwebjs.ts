import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TWwebjsEngineOptions } from "~/workers/engines/wwebjs/config";
import { createRequire } from "node:module";
import type {
  TWwebjsClient,
  TWwebjsClientFactory,
  TWwebjsMessage,
  TWwebjsReaction,
  TWwebjsSendable,
  TWwebjsSendOptions,
} from "~/workers/engines/wwebjs/client";

const requireWwebjs = () => createRequire(import.meta.url);

/**
 * A file the fake phone holds for a media message: real bytes, what WhatsApp says about them,
 * and how its download goes (fail the first `failTimes` tries, fail for good, or be gone: the
 * library then resolves `undefined`).
 */
export type TFakeMediaFile = {
  bytes: Buffer;
  mimetype: string;
  filename?: string;
  failTimes?: number;
  failForever?: boolean;
  gone?: boolean;
};

/** What WhatsApp keeps for one phone, whichever client (a restarted one, another worker's) asks. */
export type TFakePhoneHistory = {
  files: Map<string, TFakeMediaFile>;
  models: Map<string, Record<string, unknown>>;
};
const newPhoneHistory = (): TFakePhoneHistory => ({ files: new Map(), models: new Map() });

/**
 * A stand-in for whatsapp-web.js's Client: an EventEmitter with the library's event names and
 * Message shape (`id._serialized`, `from`, `to`, `fromMe`, `hasMedia`, `ack`, `_data`), driven
 * by the test. Like RemoteAuth, it restores a stored session without a QR, and saves one (a zip
 * in the data folder, then `store.save`) once linked.
 */
export class FakeWwebjsClient extends EventEmitter implements TWwebjsClient {
  info: { wid: { user: string } } | undefined;
  pupBrowser = null;
  destroyed = false;
  loggedOut = false;
  restored = false;
  readonly sent: { chatId: string; body: string; id: string }[] = [];
  readonly presence: { chatId: string; state: "typing" | "clear" }[] = [];
  /** What WhatsApp knows of LIDs' phone numbers (`…@lid` → `…@c.us`), as the test tells it. */
  readonly lidPhones = new Map<string, string>();
  /** The files of media messages, by message id (`deliverMedia`): the phone's, shared by its clients. */
  get files(): Map<string, TFakeMediaFile> {
    return this.history.files;
  }
  /** Every download the library asked the page for, by message id, in order. */
  readonly downloads: string[] = [];
  /** Every `getMessageById` call (a download of a message the engine no longer had at hand). */
  readonly lookups: string[] = [];
  /** WhatsApp Web's message models delivered, by id (what `getMessageById` reads again, after a restart too). */
  private get models(): Map<string, Record<string, unknown>> {
    return this.history.models;
  }

  /**
   * The browser page, as far as the library's `Message.downloadMedia()` uses it: it evaluates its
   * download function with the message id and turns the answer into a `MessageMedia` (null →
   * undefined). This answers as WhatsApp Web would: the file as base64, or null when it is gone.
   */
  readonly pupPage = {
    evaluate: (_pageFunction: unknown, messageId: string) => this.pageDownload(messageId),
  };

  constructor(
    private readonly options: Parameters<TWwebjsClientFactory>[0],
    private readonly behaviour: { phone: string; failWith?: string },
    /** What WhatsApp keeps whichever client asks: messages and their files (one per phone). */
    private readonly history: TFakePhoneHistory = newPhoneHistory(),
  ) {
    super();
  }

  private get sessionName() {
    return `RemoteAuth-${this.options.sessionId}`;
  }

  async initialize() {
    if (this.behaviour.failWith) throw new Error(this.behaviour.failWith);
    if (await this.options.store.sessionExists({ session: this.sessionName })) {
      // RemoteAuth extracts the stored profile first; a tampered archive throws here.
      await mkdir(this.options.dataPath, { recursive: true });
      await this.options.store.extract({
        session: this.sessionName,
        path: path.join(this.options.dataPath, `${this.sessionName}.zip`),
      });
      this.restored = true;
      this.emit("authenticated", {});
      this.becomeReady();
      return;
    }
    this.emit("qr", `2@fake-qr-${randomUUID()}`);
  }

  /** The phone scans the QR: linked, ready, and the session saved like RemoteAuth does. */
  async scan() {
    this.emit("authenticated", {});
    this.becomeReady();
    await mkdir(this.options.dataPath, { recursive: true });
    await writeFile(path.join(this.options.dataPath, `${this.sessionName}.zip`), `profile of ${this.behaviour.phone}`);
    await this.options.store.save({ session: this.sessionName });
  }

  private becomeReady() {
    this.info = { wid: { user: this.behaviour.phone } };
    this.emit("ready");
  }

  message(fields: Partial<TWwebjsMessage> & { from: string; body: string }): TWwebjsMessage {
    const fromMe = fields.fromMe ?? false;
    const id = `${fromMe}_${fromMe ? fields.to : fields.from}_${randomUUID().slice(0, 20).toUpperCase()}`;
    return {
      id: { _serialized: id, fromMe },
      to: `${this.behaviour.phone}@c.us`,
      type: "chat",
      timestamp: Math.floor(Date.now() / 1000),
      fromMe,
      hasMedia: false,
      ack: 0,
      _data: { notifyName: "Fake Contact" },
      ...fields,
    };
  }

  /** A contact writes. */
  deliver(from: string, body: string, extra: Partial<TWwebjsMessage> = {}) {
    const message = this.message({ from, body, ...extra });
    this.emit("message", message);
    this.emit("message_create", message);
    return message;
  }

  /**
   * A contact sends a message of any kind: `raw` is WhatsApp Web's serialized message model (see
   * workers/engines/wwebjs/payloads.fixture.ts), made into the library's own `Message`, as the
   * real client emits it; `from` and `to` are this client's contact and number.
   */
  deliverRaw(raw: Record<string, unknown>) {
    const { Message } = requireWwebjs()("whatsapp-web.js") as {
      Message: new (client: unknown, data: unknown) => TWwebjsMessage;
    };
    const model = { ...raw, to: `${this.behaviour.phone}@c.us` };
    const message = new Message(this, model);
    this.models.set(message.id._serialized, model);
    this.emit("message", message);
    this.emit("message_create", message);
    return message;
  }

  /**
   * A contact sends a media message whose file the phone holds: `raw` as for `deliverRaw` (it
   * needs a `directPath`, as WhatsApp's do, for the library to call it downloadable), `file` its
   * real bytes and how their download goes.
   */
  deliverMedia(raw: Record<string, unknown>, file: TFakeMediaFile) {
    const id = (raw.id as { _serialized: string })._serialized;
    this.files.set(id, { ...file, bytes: Buffer.from(file.bytes) });
    return this.deliverRaw({ directPath: `/v/t62.fake/${id}.enc`, mediaKey: "ZmFrZSBtZWRpYSBrZXk=", ...raw });
  }

  private pageDownload(messageId: string) {
    this.downloads.push(messageId);
    const file = this.files.get(messageId);
    if (!file || file.gone) return Promise.resolve(null);
    if (file.failForever) return Promise.reject(new Error("Download failed: 500 (fake WhatsApp media server)"));
    if ((file.failTimes ?? 0) > 0) {
      file.failTimes! -= 1;
      return Promise.reject(new Error("Download failed: connection reset (fake WhatsApp media server)"));
    }
    return Promise.resolve({
      data: file.bytes.toString("base64"),
      mimetype: file.mimetype,
      filename: file.filename,
      filesize: file.bytes.length,
    });
  }

  /** A message read again from WhatsApp Web (the library's Message), as after a restart. */
  getMessageById(messageId: string) {
    this.lookups.push(messageId);
    const raw = this.models.get(messageId);
    if (!raw) return Promise.resolve(null);
    const { Message } = requireWwebjs()("whatsapp-web.js") as {
      Message: new (client: unknown, data: unknown) => TWwebjsMessage;
    };
    return Promise.resolve(new Message(this, raw));
  }

  /** A contact reacts to a message (or takes a reaction back), as the library's `message_reaction` event. */
  react(raw: Record<string, unknown>) {
    const Reaction = requireWwebjs()("whatsapp-web.js/src/structures/Reaction") as new (
      client: unknown,
      data: unknown,
    ) => TWwebjsReaction;
    const reaction = new Reaction(this, raw);
    this.emit("message_reaction", reaction);
    return reaction;
  }

  /** A person types on the linked phone itself. */
  typeOnPhone(to: string, body: string) {
    const message = this.message({ from: `${this.behaviour.phone}@c.us`, to, body, fromMe: true });
    this.emit("message_create", message);
    return message;
  }

  ack(id: string, level: number) {
    const sent = this.sent.find((entry) => entry.id === id);
    this.emit(
      "message_ack",
      this.message({
        from: `${this.behaviour.phone}@c.us`,
        to: sent?.chatId ?? "",
        body: "",
        id: { _serialized: id, fromMe: true },
      }),
      level,
    );
  }

  sendMessage(chatId: string, content: string | TWwebjsSendable, options?: TWwebjsSendOptions) {
    if (typeof content !== "string") return this.sendMediaMessage(chatId, content, options);
    const body = content;
    const message = this.message({ from: `${this.behaviour.phone}@c.us`, to: chatId, body, fromMe: true });
    this.sent.push({ chatId, body, id: message.id._serialized });
    // The library announces our own message before sendMessage resolves.
    this.emit("message_create", message);
    return Promise.resolve(message);
  }

  /** Media and locations the engine sent (the library's own MessageMedia / Location, with the options), in order. */
  readonly sentMedia: { chatId: string; content: TWwebjsSendable; options: TWwebjsSendOptions; id: string }[] = [];

  /**
   * `sendMessage` with a MessageMedia or a Location: recorded in `sentMedia` and announced like
   * the library does (`message_create` before it resolves, typed as WhatsApp types it, the
   * caption as its body).
   */
  private sendMediaMessage(chatId: string, content: TWwebjsSendable, options: TWwebjsSendOptions = {}) {
    const type =
      "latitude" in content
        ? "location"
        : options.sendAudioAsVoice
          ? "ptt"
          : options.sendMediaAsDocument
            ? "document"
            : options.sendMediaAsSticker
              ? "sticker"
              : (["image", "video", "audio"].find((major) => content.mimetype.startsWith(`${major}/`)) ?? "document");
    const message = this.message({
      from: `${this.behaviour.phone}@c.us`,
      to: chatId,
      body: options.caption ?? "",
      fromMe: true,
      type,
      hasMedia: type !== "location",
    });
    this.sentMedia.push({ chatId, content, options, id: message.id._serialized });
    this.sent.push({ chatId, body: options.caption ?? "", id: message.id._serialized });
    this.emit("message_create", message);
    return Promise.resolve(message);
  }

  getChatById(chatId: string) {
    return Promise.resolve({
      sendStateTyping: () => {
        this.presence.push({ chatId, state: "typing" });
        return Promise.resolve();
      },
      clearState: () => {
        this.presence.push({ chatId, state: "clear" });
        return Promise.resolve();
      },
    });
  }

  getContactLidAndPhone(userIds: string[]) {
    return Promise.resolve(
      userIds.map((id) =>
        id.endsWith("@lid")
          ? { lid: id, pn: this.lidPhones.get(id) }
          : { lid: [...this.lidPhones].find(([, pn]) => pn === id)?.[0], pn: id },
      ),
    );
  }

  logout() {
    this.loggedOut = true;
    return Promise.resolve();
  }

  destroy() {
    this.destroyed = true;
    return Promise.resolve();
  }
}

/** A client factory for the worker that hands out fake clients the test can reach. */
export function createFakeWwebjs(behaviour: { phone?: string; failWith?: string; history?: TFakePhoneHistory } = {}) {
  const clients: FakeWwebjsClient[] = [];
  // Every client of this factory is the same phone: a restarted client still finds its messages.
  const history = behaviour.history ?? newPhoneHistory();
  const factory: TWwebjsClientFactory = (options) => {
    const client = new FakeWwebjsClient(
      options,
      { phone: behaviour.phone ?? "14155550100", failWith: behaviour.failWith },
      history,
    );
    clients.push(client);
    return client;
  };
  return { factory, clients, latest: () => clients.at(-1), history };
}

/** APP_SECRET of the worker's whatsapp-web.js engine in tests (the stored login is encrypted with it). */
export const FAKE_WWEBJS_APP_SECRET = "s".repeat(40);

/** The whatsapp-web.js engine's options for a test pipeline: the fake client, fast backoff, a fresh folder. */
export async function fakeWwebjsOptions(factory: ReturnType<typeof createFakeWwebjs>["factory"]) {
  return {
    createClient: factory,
    appSecret: FAKE_WWEBJS_APP_SECRET,
    dataDir: await mkdtemp(path.join(tmpdir(), "switchboard-wwebjs-")),
    chromiumPath: "/usr/bin/chromium",
    webVersion: null,
    readyTimeoutMs: 30_000,
    memoryLimitMb: 2_048,
    minBackoffMs: 50,
    maxBackoffMs: 500,
  } satisfies TWwebjsEngineOptions;
}
