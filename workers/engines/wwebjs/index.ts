import path from "node:path";
import { createPostgresAuthStore } from "~/server/sessions/auth-store";
import type { TEngine, TEngineConnection, TEngineHandlers } from "../types";
import type { TWwebjsClient, TWwebjsMessage, TWwebjsReaction } from "./client";
import { type TWwebjsEngineOptions, wwebjsOptionsFromEnv, ZWwebjsEnv } from "./config";
import { createEchoFilter } from "./echo";
import { createLidPhoneLookup } from "./identities";
import { createWwebjsMediaDownloads } from "./media";
import { createWwebjsLifecycle, type TWwebjsLifecycleOptions } from "./lifecycle";
import { chatIdOf, mapAck, mapInbound, mapPhoneMessage, mapReaction } from "./mapping";
import { WWEBJS_SENDS, wwebjsOutgoing } from "./outgoing";
import { createTypingPresence } from "./presence";

/**
 * The whatsapp-web.js engine: the only code that drives a WhatsApp Web client. This file is
 * the wiring: it attaches each client's message events to the handlers (mapping.ts turns the
 * library's shapes into ours, echo.ts tells our sends from a person typing on the phone,
 * presence.ts shows "typing…"), and sends. lifecycle.ts runs the client itself.
 */

/** How long a download waits for a client that is not ready yet (starting, reconnecting) before it fails and is retried. */
const DOWNLOAD_READY_WAIT_MS = 20_000;

export type TWwebjsOptions = TWwebjsLifecycleOptions & {
  /** Show "typing…" while the bot prepares a reply (cleared when it is sent, or after this long); read each time, so a settings change applies at once. */
  typing: () => { enabled: boolean; maxMs: number };
};

export type TWwebjsConnection = TEngineConnection & {
  restart: (reason: string) => Promise<void>;
  logout: () => Promise<void>;
  status: () => ReturnType<ReturnType<typeof createWwebjsLifecycle>["status"]>;
};

export function createWwebjsConnection(options: TWwebjsOptions): TWwebjsConnection {
  const { log, sessionId } = options;
  let handlers: TEngineHandlers | null = null;
  const echo = createEchoFilter();
  const lids = createLidPhoneLookup();
  const downloads = createWwebjsMediaDownloads();
  const lifecycle = createWwebjsLifecycle(options, {
    attach: (client) => wire(client),
    detach: () => typing.reset(),
  });
  const typing = createTypingPresence(lifecycle.client, options.typing);

  const wire = (client: TWwebjsClient) => {
    client.on("message", (message: TWwebjsMessage) => {
      const inbound = mapInbound(message, sessionId);
      if (!inbound) return;
      // Its file is fetched by the media job, through this very Message object when still at hand.
      downloads.remember(message, client);
      void (async () => {
        try {
          // A LID sender: their number, when WhatsApp tells it, goes with the message (ingest links them).
          if (message.from.endsWith("@lid") && !inbound.identity?.phone) {
            const phone = await lids.phoneOf(client, message.from);
            if (phone) inbound.identity = { ...inbound.identity, phone };
          }
          await handlers?.onMessage(inbound);
          typing.start(message.from);
        } catch (error) {
          log.error({ err: error, sessionId, waMessageId: inbound.waMessageId }, "could not store a message");
        }
      })();
    });
    client.on("message_reaction", (reaction: TWwebjsReaction) => {
      const inbound = mapReaction(reaction, sessionId);
      if (!inbound) return;
      void handlers
        ?.onMessage(inbound)
        .catch((error: unknown) =>
          log.error({ err: error, sessionId, waMessageId: inbound.waMessageId }, "could not store a reaction"),
        );
    });
    client.on("message_create", (message: TWwebjsMessage) => {
      // Typed on the linked phone by a person, not sent by Switchboard: they take the thread over.
      if (echo.classify(message) !== "phone") return;
      void handlers
        ?.onPhoneMessage(mapPhoneMessage(message))
        .catch((error: unknown) =>
          log.error({ err: error, sessionId }, "could not record a message typed on the phone"),
        );
    });
    client.on("message_ack", (message: TWwebjsMessage, level: number) => {
      const ack = mapAck(message, level);
      if (!ack) return;
      void handlers
        ?.onAck(ack)
        .catch((error: unknown) => log.warn({ err: error, sessionId }, "could not apply an ack"));
    });
  };

  return {
    start(given) {
      handlers = given;
      lifecycle.start(given);
      return Promise.resolve();
    },
    stop: () => lifecycle.stop(),
    restart: (reason) => lifecycle.restart(reason),
    logout: () => lifecycle.logout(),
    status: () => lifecycle.status(),
    memory: () => lifecycle.memory(),
    async send(message, signal) {
      const client = lifecycle.client();
      const status = lifecycle.status();
      if (!client || status !== "ready") throw new Error(`the WhatsApp session is not ready (${status})`);
      const chatId = chatIdOf(message.to);
      // The file is read before "typing…" stops and the echo filter expects the send.
      const outgoing = await wwebjsOutgoing(message, signal);
      typing.stop(chatId);
      const settle = echo.beginSend(chatId, outgoing.echo.body, message.clientRef, outgoing.echo.types);
      let sent: TWwebjsMessage;
      try {
        sent = await (outgoing.options
          ? client.sendMessage(chatId, outgoing.content, outgoing.options)
          : client.sendMessage(chatId, outgoing.content));
      } catch (error) {
        settle(null);
        throw error;
      }
      settle(sent.id._serialized);
      return { waMessageId: sent.id._serialized };
    },
    async downloadMedia({ waMessageId }, signal) {
      // Just after a (re)start the client takes a few seconds to be ready: wait rather than spend a retry.
      const deadline = Date.now() + DOWNLOAD_READY_WAIT_MS;
      while (lifecycle.status() !== "ready" && Date.now() < deadline && !signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const status = lifecycle.status();
      if (status !== "ready") throw new Error(`the WhatsApp session is not ready (${status})`);
      return downloads.download(lifecycle.client(), waMessageId, signal);
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
  };
}

/** The whatsapp-web.js engine, as the registry lists it. */
export const wwebjsEngine: TEngine<TWwebjsEngineOptions, ReturnType<typeof ZWwebjsEnv.parse>> = {
  descriptor: {
    kind: "wwebjs",
    label: "WhatsApp Web",
    description:
      "A WhatsApp number linked by scanning a QR code with its phone, run through WhatsApp Web in the worker's Chromium.",
    // Receives every kind of message; sends text, media files and locations (outgoing.ts).
    capabilities: {
      text: true,
      media: [...WWEBJS_SENDS],
      reactions: false,
      quotedReplies: false,
      buttons: false,
      templates: false,
      serviceWindow: false,
      presence: true,
      contactPresence: false,
      readReceipts: true,
      pairing: ["qr"],
      webhookInbound: false,
      phoneEcho: true,
      // Which sends it accepted is known only in memory: no certain re-send (docs/delivery.md).
      resendUnaccepted: false,
    },
    settings: ["pacing", "presence"],
    controls: ["restart", "logout"],
    addable: true,
  },
  env: { schema: ZWwebjsEnv, options: wwebjsOptionsFromEnv },
  connect({ db, log, sessionId, settings }, { appSecret, dataDir, ...options }) {
    const dataPath = path.join(dataDir, sessionId);
    return createWwebjsConnection({
      ...options,
      sessionId,
      log,
      dataPath,
      store: createPostgresAuthStore({ db, sessionId, appSecret, dataPath }),
      typing: () => ({ enabled: settings().presence.typing, maxMs: settings().presence.typingMaxMs }),
    });
  },
};
