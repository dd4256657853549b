import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { bytea, id, timestamps, timestamptz } from "./columns";

export const WA_SESSION_STATUSES = [
  "new",
  "qr",
  "connecting",
  "ready",
  "disconnected",
  "logged_out",
  "failed",
] as const;
export const waSessionStatus = pgEnum("wa_session_status", WA_SESSION_STATUSES);

/**
 * The engines workers can run (simulator, whatsapp-web.js…), as the workers publish them on
 * start (workers/engines/registry.ts): the web reads what an engine is and can do from here,
 * never from the worker's code. `capabilities`, `settings` and `controls` are validated by
 * server/sessions/engine-capabilities.ts when read.
 */
export const waEngines = pgTable("wa_engines", {
  /** The engine's name in `wa_sessions.kind`. */
  kind: text().primaryKey(),
  label: text().notNull(),
  description: text().notNull().default(""),
  capabilities: jsonb().$type<Record<string, unknown>>().notNull(),
  settings: text().array().notNull().default([]),
  controls: text().array().notNull().default([]),
  /** Staff may add sessions of it on the Sessions page (the simulator's one session is built in). */
  addable: boolean().notNull().default(false),
  /** The worker that published it last. */
  publishedBy: text(),
  updatedAt: timestamptz().notNull().defaultNow(),
});

/**
 * One WhatsApp number (or the simulator). Exactly one worker runs it at a time:
 * the one named in `lease_owner` while `lease_expires_at` is in the future.
 */
export const waSessions = pgTable("wa_sessions", {
  id: id(),
  name: text().notNull(),
  /** Its engine (`wa_engines.kind`): text, not an enum, so adding an engine needs no migration. */
  kind: text().notNull().default("simulator"),
  status: waSessionStatus().notNull().default("new"),
  phone: text(),
  lastError: text(),
  /** The QR code to scan while `status = qr` (whatsapp-web.js's string; the page draws it). */
  qr: text(),
  /** WhatsApp Web's own connection state (`change_state`: CONNECTED, OPENING, TIMEOUT…). */
  connectionState: text(),
  statusChangedAt: timestamptz(),
  /**
   * When the number last sent a message (the send path's record of sends, written at most every
   * `LAST_SENT_EVERY_S`): a queued message on a number that sends is waiting for its turn behind
   * the number's pacing, not stuck (server/delivery/stuck.ts).
   */
  lastSentAt: timestamptz(),
  /**
   * While the client keeps failing: the reconnect attempt under way or scheduled (1 = the first
   * retry) and when it is due, so the Sessions page shows "retrying in 32 s (attempt 6)".
   * Cleared once it is connected (or waiting for a scan).
   */
  reconnectAttempt: integer(),
  nextRetryAt: timestamptz(),
  /**
   * How many times the connection was set up again after it went down (every engine's
   * reconnects, backoff or not), since the session was added: shown on the Sessions page.
   */
  reconnectCount: integer().notNull().default(0),
  /** Staff asked the owning worker to restart the client, or to log the number out. */
  restartRequestedAt: timestamptz(),
  logoutRequestedAt: timestamptz(),
  /**
   * Linking by phone code instead of a QR (engines with `pairing.code`): the number staff typed
   * (E.164), when they asked, and the 8-character code the engine got for it, shown until linked.
   */
  pairingPhone: text(),
  pairingRequestedAt: timestamptz(),
  pairingCode: text(),
  /**
   * What the running session costs in memory, as its worker last measured it (bytes): `own` for
   * a process of its own (whatsapp-web.js's Chromium and its children), `shared` for a share of
   * the worker's own process (Baileys runs inside it).
   */
  memoryBytes: bigint({ mode: "number" }),
  memoryScope: text().$type<"own" | "shared">(),
  memoryAt: timestamptz(),
  /** Pacing and transport options (token bucket, jitter, per-chat gap…). */
  settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  /**
   * What its engine needs to reach the number, beside secrets: the Cloud API's phone number id,
   * business account id and Graph API version (server/cloud/config.ts validates it when read).
   */
  engineConfig: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  /** Its engine's secrets (the Cloud API's access token, app secret, verify token): JSON encrypted with APP_SECRET. */
  engineSecrets: bytea(),
  leaseOwner: text(),
  leaseExpiresAt: timestamptz(),
  ...timestamps(),
});

/** whatsapp-web.js RemoteAuth store: the session archive, encrypted with APP_SECRET. */
export const waSessionAuth = pgTable("wa_session_auth", {
  sessionId: uuid()
    .primaryKey()
    .references(() => waSessions.id, { onDelete: "cascade" }),
  archive: bytea().notNull(),
  updatedAt: timestamptz().notNull().defaultNow(),
});

/** A Cloud API template component as Meta describes it (HEADER, BODY, FOOTER, BUTTONS), kept as it came. */
export type TStoredTemplateComponent = Record<string, unknown> & { type: string };

/**
 * The message templates of a Cloud API number's WhatsApp Business Account, as last synced from
 * Meta (server/cloud/templates.ts): what may be sent outside the 24-hour window. Templates are
 * created and approved in Meta's own tools; here they are read, shown, previewed and sent.
 */
export const waTemplates = pgTable(
  "wa_templates",
  {
    id: uuid().primaryKey().defaultRandom(),
    sessionId: uuid()
      .notNull()
      .references(() => waSessions.id, { onDelete: "cascade" }),
    /** Meta's id of the template. */
    metaId: text(),
    name: text().notNull(),
    /** Its language code (`en_US`, `pt_BR`). */
    language: text().notNull(),
    /** MARKETING, UTILITY or AUTHENTICATION. */
    category: text().notNull().default(""),
    /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED… (only APPROVED ones can be sent). */
    status: text().notNull(),
    components: jsonb().$type<TStoredTemplateComponent[]>().notNull().default([]),
    syncedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex("wa_templates_session_name_language_key").on(t.sessionId, t.name, t.language)],
);

/**
 * Baileys' auth state (server/sessions/engine-keys.ts): its credentials (`type = creds`) and
 * signal keys (pre-keys, sessions, sender keys, app-state keys…), one row per key, each value
 * AES-256-GCM under APP_SECRET. A batch of keys is written in one transaction, so a crash never
 * leaves half of it; any worker holding the session's lease reads them, so the number resumes
 * elsewhere without a new QR. Deleted with the session, and on log-out.
 */
export const waEngineKeys = pgTable(
  "wa_engine_keys",
  {
    sessionId: uuid()
      .notNull()
      .references(() => waSessions.id, { onDelete: "cascade" }),
    type: text().notNull(),
    keyId: text().notNull(),
    value: bytea().notNull(),
    updatedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.type, t.keyId] })],
);
