import type { BaileysEventMap, WAMessage } from "@whiskeysockets/baileys";
import type { TEngine, TEngineConnection, TEngineHandlers, TEngineMemory } from "../types";
import { type TBaileysEngineOptions, baileysOptionsFromEnv, ZBaileysEnv } from "./config";
import { baileysMessageIdOf, createBaileysEcho } from "./echo";
import { createLidPhoneLinks } from "./identities";
import { createBaileysLifecycle, type TBaileysLifecycleOptions } from "./lifecycle";
import { isIgnoredJid, jidOf, mapInbound, mapPhoneMessage, mapPresence, mapReceipts } from "./mapping";
import { downloadBaileysMedia } from "./media";
import { BAILEYS_SENDS, baileysOutgoing } from "./outgoing";
import { createBaileysTyping } from "./presence";
import type { TBaileysSocket } from "./socket";

/**
 * The Baileys engine: WhatsApp's multi-device protocol over one WebSocket per number, no browser.
 * This file is the wiring: it attaches each socket's message events to the handlers (mapping.ts
 * turns Baileys' shapes into ours, echo.ts tells our sends from a person typing on the phone,
 * identities.ts links LIDs and numbers, presence.ts shows "typing…"), and sends. lifecycle.ts
 * runs the socket itself, auth-state.ts keeps its login in Postgres.
 */

/**
 * Baileys connections running in this process. They share one Node process (and its memory), so
 * each reports an equal share of the process's resident memory: an estimate of what a number
 * costs here, not a measurement of it alone (scope `shared`).
 */
let liveConnections = 0;

/** Baileys' `WAMessage.messageTimestamp` (a number or a protobuf Long) in seconds, 0 when absent. */
function secondsOf(message: WAMessage): number {
  // A Long converts through its valueOf.
  return Number(message.messageTimestamp ?? 0) || 0;
}

export type TBaileysOptions = TBaileysLifecycleOptions & {
  /** Show "typing…" while the bot prepares a reply (cleared when it is sent, or after this long); read each time. */
  typing: () => { enabled: boolean; maxMs: number };
};

export type TBaileysConnection = TEngineConnection & {
  restart: (reason: string) => Promise<void>;
  logout: () => Promise<void>;
  requestPairingCode: (phone: string) => Promise<void>;
  watchPresence: (to: string) => Promise<void>;
  memory: () => Promise<TEngineMemory | null>;
  status: () => ReturnType<ReturnType<typeof createBaileysLifecycle>["status"]>;
};

export function createBaileysConnection(options: TBaileysOptions): TBaileysConnection {
  const { log, sessionId } = options;
  let handlers: TEngineHandlers | null = null;
  let live = false;
  const echo = createBaileysEcho();
  const links = createLidPhoneLinks();
  const lifecycle = createBaileysLifecycle(options, {
    attach: (socket) => wire(socket),
    detach: () => typing.reset(),
  });
  const typing = createBaileysTyping(lifecycle.socket, options.typing);

  /**
   * Messages are handled one after another across batches: a batch is sorted oldest first, and
   * each is stored (awaited) before the next, so the conversation keeps WhatsApp's order.
   */
  let messagesChain: Promise<void> = Promise.resolve();

  const handleMessage = async (message: WAMessage, live: boolean) => {
    const jid = message.key.remoteJid;
    if (isIgnoredJid(jid) || !message.key.id) return;
    if (message.key.fromMe) {
      // Our own send's echo (its id was remembered before it went out) is not news.
      if (echo.isOurs(message.key.id)) return;
      // Typed on the linked phone (or another linked device) by a person: they take the thread over.
      const typed = mapPhoneMessage(message);
      if (typed) await handlers?.onPhoneMessage(typed);
      return;
    }
    // The sender's other identity learnt from the LID mapping events goes with the message.
    const inbound = mapInbound(message, sessionId, links.identityOf(jid!));
    if (!inbound) return;
    await handlers?.onMessage(inbound);
    // Only a live message gets "typing…": one synced after downtime gets no automatic reply soon.
    if (live) typing.start(jid!);
  };

  const wire = (socket: TBaileysSocket) => {
    const onUpsert = ({ messages, type }: BaileysEventMap["messages.upsert"]) => {
      const sorted = [...messages].sort((a, b) => secondsOf(a) - secondsOf(b));
      messagesChain = messagesChain.then(async () => {
        for (const message of sorted) {
          try {
            await handleMessage(message, type === "notify");
          } catch (error) {
            log.error({ err: error, sessionId, waMessageId: message.key.id }, "could not store a message");
          }
        }
      });
    };
    const onUpdate = (updates: BaileysEventMap["messages.update"]) => {
      for (const ack of mapReceipts(updates)) {
        void handlers
          ?.onAck(ack)
          .catch((error: unknown) => log.warn({ err: error, sessionId }, "could not apply an ack"));
      }
    };
    const onShare = ({ lid, jid }: BaileysEventMap["chats.phoneNumberShare"]) => links.link(lid, jid);
    const onContacts = (contacts: BaileysEventMap["contacts.upsert"] | BaileysEventMap["contacts.update"]) => {
      for (const contact of contacts) links.link(contact.lid, contact.id);
    };
    const onPresence = (update: BaileysEventMap["presence.update"]) => {
      for (const presence of mapPresence(update)) {
        void handlers
          ?.onPresence(presence)
          .catch((error: unknown) => log.debug({ err: error, sessionId }, "could not relay a presence"));
      }
    };
    socket.ev.on("messages.upsert", onUpsert);
    socket.ev.on("messages.update", onUpdate);
    socket.ev.on("chats.phoneNumberShare", onShare);
    socket.ev.on("contacts.upsert", onContacts);
    socket.ev.on("contacts.update", onContacts);
    socket.ev.on("presence.update", onPresence);
  };

  const readySocket = () => {
    const socket = lifecycle.socket();
    const status = lifecycle.status();
    if (!socket || status !== "ready") throw new Error(`the WhatsApp session is not ready (${status})`);
    return socket;
  };

  return {
    start(given) {
      handlers = given;
      if (!live) {
        live = true;
        liveConnections += 1;
      }
      lifecycle.start(given);
      return Promise.resolve();
    },
    async stop() {
      if (live) {
        live = false;
        liveConnections -= 1;
      }
      await lifecycle.stop();
      await messagesChain;
    },
    restart: (reason) => lifecycle.restart(reason),
    logout: () => lifecycle.logout(),
    status: () => lifecycle.status(),
    async requestPairingCode(phone) {
      await lifecycle.requestPairingCode(phone);
    },
    async watchPresence(to) {
      // Best effort: only an open connection can subscribe; the Inbox asks again while it stays open.
      const socket = lifecycle.socket();
      if (!socket || lifecycle.status() !== "ready") return;
      await socket.presenceSubscribe(jidOf(to));
    },
    memory() {
      if (!live) return Promise.resolve(null);
      const bytes = Math.round(process.memoryUsage.rss() / Math.max(1, liveConnections));
      return Promise.resolve({ bytes, scope: "shared" });
    },
    async send(message, signal) {
      const socket = readySocket();
      const jid = jidOf(message.to);
      // The file is read (as a stream) before "typing…" stops.
      const outgoing = await baileysOutgoing(message, signal);
      typing.stop(jid);
      const messageId = baileysMessageIdOf(sessionId, message.clientRef);
      // Known as ours before it goes out: Baileys may echo it before sendMessage resolves.
      echo.expect(messageId);
      const sent = await socket.sendMessage(jid, outgoing.content, { ...outgoing.options, messageId });
      const waMessageId = sent?.key.id ?? messageId;
      echo.sent(message.clientRef, waMessageId);
      return { waMessageId };
    },
    findSentMany(list) {
      // A retry after a send this process made but could not record: the same id, no second send.
      return Promise.resolve(
        new Map(
          list.flatMap((item) => {
            const id = echo.sentIdOf(item.clientRef);
            return id ? [[item.clientRef, id] as const] : [];
          }),
        ),
      );
    },
    downloadMedia: (message, signal) => downloadBaileysMedia(message, signal),
  };
}

/** The Baileys engine, as the registry lists it. */
export const baileysEngine: TEngine<TBaileysEngineOptions, ReturnType<typeof ZBaileysEnv.parse>> = {
  descriptor: {
    kind: "baileys",
    label: "WhatsApp (Baileys)",
    description:
      "A WhatsApp number linked by a QR code or a pairing code, spoken to directly over WhatsApp's multi-device protocol: no browser, so one worker holds many numbers.",
    capabilities: {
      text: true,
      media: [...BAILEYS_SENDS],
      reactions: true,
      quotedReplies: true,
      // Choices go as a numbered menu: WhatsApp does not show buttons sent by a linked device.
      buttons: false,
      templates: false,
      serviceWindow: false,
      presence: true,
      contactPresence: true,
      readReceipts: true,
      pairing: ["qr", "code"],
      webhookInbound: false,
      phoneEcho: true,
      // Which sends it accepted is known only in memory: no certain re-send (docs/delivery.md).
      resendUnaccepted: false,
    },
    settings: ["pacing", "presence"],
    controls: ["restart", "logout"],
    addable: true,
  },
  env: { schema: ZBaileysEnv, options: baileysOptionsFromEnv },
  connect({ db, log, sessionId, settings }, options) {
    return createBaileysConnection({
      ...options,
      db,
      sessionId,
      log,
      typing: () => ({ enabled: settings().presence.typing, maxMs: settings().presence.typingMaxMs }),
    });
  },
};
