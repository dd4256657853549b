import type { WAMessage, WAMessageUpdate } from "@whiskeysockets/baileys";
import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TAck, TContactPresence, TPhoneMessage } from "../types";

/**
 * Baileys' shapes to ours, pure (type-only imports of the library): a contact's message to an
 * inbound message of the content model, a message typed on the linked phone, receipts to ticks,
 * presence updates. SKELETON (lead): text only; the mapping helper completes every kind.
 */

/** Chats we ignore: groups, status updates, broadcast lists, channels. */
export function isIgnoredJid(jid: string | null | undefined): boolean {
  if (!jid) return true;
  return /@(g\.us|broadcast|newsletter)$/.test(jid) || jid === "status@broadcast";
}

/** A recipient as Baileys takes it: E.164 or `…@c.us` → `<digits>@s.whatsapp.net`; a `…@lid` stays. */
export function jidOf(to: string): string {
  if (to.endsWith("@lid") || to.endsWith("@s.whatsapp.net")) return to;
  return `${to.replace(/@.*$/, "").replace(/\D/g, "")}@s.whatsapp.net`;
}

/** A contact's message (not ours, not from an ignored chat) as ingest takes it; null otherwise. */
export function mapInbound(message: WAMessage, sessionId: string): TInboundMessage | null {
  const jid = message.key.remoteJid;
  if (message.key.fromMe || isIgnoredJid(jid) || !message.key.id) return null;
  const text = message.message?.conversation ?? message.message?.extendedTextMessage?.text;
  if (text === undefined || text === null) return null;
  const seconds = Number(message.messageTimestamp ?? 0);
  return {
    sessionId,
    waMessageId: message.key.id,
    from: jid!,
    ...(message.pushName ? { pushName: message.pushName } : {}),
    content: { kind: "text", text },
    ...(seconds > 0 ? { sentAt: new Date(seconds * 1000) } : {}),
  };
}

/** A message typed on the linked phone by a person (the caller knows it is not one of our sends). */
export function mapPhoneMessage(message: WAMessage): TPhoneMessage | null {
  const jid = message.key.remoteJid;
  if (!message.key.fromMe || isIgnoredJid(jid) || !message.key.id) return null;
  const text = message.message?.conversation ?? message.message?.extendedTextMessage?.text ?? "";
  const seconds = Number(message.messageTimestamp ?? 0);
  return {
    to: jid!,
    waMessageId: message.key.id,
    body: text,
    at: seconds > 0 ? new Date(seconds * 1000) : new Date(),
  };
}

/** `messages.update` status changes of our messages to ticks (delivered, read; an error fails it). */
export function mapReceipts(updates: readonly WAMessageUpdate[]): TAck[] {
  const acks: TAck[] = [];
  for (const { key, update } of updates) {
    if (!key.fromMe || !key.id || update.status === undefined || update.status === null) continue;
    // proto.WebMessageInfo.Status: 0 ERROR, 1 PENDING, 2 SERVER_ACK, 3 DELIVERY_ACK, 4 READ, 5 PLAYED.
    const status = Number(update.status);
    if (status === 0) acks.push({ waMessageId: key.id, status: "failed" });
    else if (status === 3) acks.push({ waMessageId: key.id, status: "delivered" });
    else if (status >= 4) acks.push({ waMessageId: key.id, status: "read" });
  }
  return acks;
}

/** A `presence.update` to each contact's presence (groups ignored). */
export function mapPresence(update: {
  id: string;
  presences: Record<string, { lastKnownPresence: string; lastSeen?: number }>;
}): TContactPresence[] {
  if (isIgnoredJid(update.id)) return [];
  const states: Record<string, TContactPresence["state"]> = {
    composing: "typing",
    recording: "recording",
    available: "online",
    unavailable: "offline",
    paused: "paused",
  };
  return Object.entries(update.presences).flatMap(([participant, data]) => {
    const state = states[data.lastKnownPresence];
    if (!state) return [];
    return [
      {
        from: participant || update.id,
        state,
        ...(data.lastSeen ? { lastSeen: new Date(data.lastSeen * 1000) } : {}),
      },
    ];
  });
}
