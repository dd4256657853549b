import { z } from "zod";
import type { TContentKind } from "~/server/messages/content";

/**
 * What an engine can do, as it declares it (worker) and as the web reads it: the UI, the rules
 * and the flows ask `engineCan(capabilities, "reactions")`, never which engine a session runs.
 * No database here, so components can import it.
 */

/**
 * Kinds of message an engine may send and show beside text: kinds of the content model
 * (server/messages/content.ts), by the same names.
 */
export const ENGINE_MEDIA_KINDS = [
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
  "location",
  "contacts",
] as const satisfies readonly TContentKind[];
export type TEngineMediaKind = (typeof ENGINE_MEDIA_KINDS)[number];

/** How a number is linked to an engine: scanning a QR code, or typing a pairing code on the phone. */
export const ENGINE_PAIRING_METHODS = ["qr", "code"] as const;
export type TEnginePairingMethod = (typeof ENGINE_PAIRING_METHODS)[number];

export const ZEngineCapabilities = z.object({
  /** Sends text messages. */
  text: z.boolean(),
  /** The media kinds it sends and shows. */
  media: z.array(z.enum(ENGINE_MEDIA_KINDS)),
  /** Sends reactions (an emoji on a message). */
  reactions: z.boolean(),
  /** Sends a message as a reply quoting an earlier one. */
  quotedReplies: z.boolean(),
  /** Sends buttons and lists; without it a choice becomes a numbered text menu. */
  buttons: z.boolean(),
  /** Sends pre-approved templates (the official API's way to write outside the 24-hour window). */
  templates: z.boolean(),
  /**
   * Holds the business to WhatsApp's 24-hour customer-service window: more than 24 hours after
   * the contact's last message, only templates may be sent (server/conversations/window.ts).
   * Absent from what workers published before it existed: read as false.
   */
  serviceWindow: z.boolean().default(false),
  /** Shows "typing…" and presence to the contact. */
  presence: z.boolean(),
  /**
   * Reports the contact's presence ("typing…", "recording audio…", "online") while staff have
   * their conversation open (`watchPresence`). Absent from what workers published before it
   * existed: read as false.
   */
  contactPresence: z.boolean().default(false),
  /** Reports delivery and read receipts of what it sends. */
  readReceipts: z.boolean(),
  /** How a number is linked; empty when nothing is to be paired (the simulator, an API with a token). */
  pairing: z.array(z.enum(ENGINE_PAIRING_METHODS)),
  /** Messages arrive by a webhook to the web (`app/api`) rather than over the worker's own connection. */
  webhookInbound: z.boolean(),
  /** Reports messages a person typed on the linked phone itself (they then take the conversation over). */
  phoneEcho: z.boolean(),
  /**
   * A message stuck before the engine accepted it (still queued, no id from WhatsApp) may be
   * handed to it once more by the delivery sweep (server/delivery/stuck.ts), because the engine
   * can tell for certain, across worker restarts, that it never accepted the first: its send
   * pipeline's `findSentMany` is durable, so the second hand-off sends nothing if the first went.
   * Never for a message the engine or WhatsApp's server acknowledged. docs/delivery.md says which
   * engines can and why. Absent from what workers published before it existed: read as false.
   */
  resendUnaccepted: z.boolean().default(false),
});
export type TEngineCapabilities = z.infer<typeof ZEngineCapabilities>;

/** A capability to ask about: a yes/no one, a media kind (`media.voice`) or a pairing method (`pairing.qr`). */
export type TEngineCapability =
  | { [K in keyof TEngineCapabilities]: TEngineCapabilities[K] extends boolean ? K : never }[keyof TEngineCapabilities]
  | `media.${TEngineMediaKind}`
  | `pairing.${TEnginePairingMethod}`;

/** An engine that can do nothing: what a session of an engine no worker has published is taken to have. */
export const NO_CAPABILITIES: TEngineCapabilities = {
  text: false,
  media: [],
  reactions: false,
  quotedReplies: false,
  buttons: false,
  templates: false,
  serviceWindow: false,
  presence: false,
  contactPresence: false,
  readReceipts: false,
  pairing: [],
  webhookInbound: false,
  phoneEcho: false,
  resendUnaccepted: false,
};

/** Whether an engine with these capabilities can do `capability`; null or unreadable capabilities can do nothing. */
export function engineCan(
  capabilities: TEngineCapabilities | null | undefined,
  capability: TEngineCapability,
): boolean {
  if (!capabilities) return false;
  const [group, item] = capability.split(".") as [string, string | undefined];
  if (group === "media") return (capabilities.media as readonly string[]).includes(item!);
  if (group === "pairing") return (capabilities.pairing as readonly string[]).includes(item!);
  return capabilities[group as keyof TEngineCapabilities] === true;
}

/** Reads stored capabilities; anything that does not validate counts as no capability at all. */
export function readEngineCapabilities(stored: unknown): TEngineCapabilities {
  const parsed = ZEngineCapabilities.safeParse(stored);
  return parsed.success ? parsed.data : NO_CAPABILITIES;
}

/** The session settings an engine honours, i.e. the parts of the settings form its sessions show. */
export const ENGINE_SETTINGS = ["pacing", "presence"] as const;
export type TEngineSetting = (typeof ENGINE_SETTINGS)[number];

/** Staff controls a session of the engine accepts on the Sessions page. */
export const ENGINE_CONTROLS = ["restart", "logout"] as const;
export type TEngineControl = (typeof ENGINE_CONTROLS)[number];

/**
 * What an engine is, as published to `wa_engines` for the web: its kind (the session row's
 * `kind`), words for people, capabilities, the settings and controls its sessions have, and
 * whether staff may add sessions of it (the simulator's one session is built in).
 */
export const ZEngineDescriptor = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, "An engine's kind is 2–40 lower-case letters, digits or dashes"),
  label: z.string().min(1).max(80),
  description: z.string().max(500),
  capabilities: ZEngineCapabilities,
  settings: z.array(z.enum(ENGINE_SETTINGS)),
  controls: z.array(z.enum(ENGINE_CONTROLS)),
  addable: z.boolean(),
});
export type TEngineDescriptor = z.infer<typeof ZEngineDescriptor>;
