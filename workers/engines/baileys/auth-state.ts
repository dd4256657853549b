import type * as Baileys from "@whiskeysockets/baileys";
import type {
  AuthenticationCreds,
  AuthenticationState,
  SignalDataSet,
  SignalDataTypeMap,
} from "@whiskeysockets/baileys";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { waEngineKeys } from "~/db/schema";
import type { Logger } from "~/server/logger";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "~/server/lib/secrets";
import type { TBaileysLogger } from "./socket";

/**
 * Baileys' login (its `AuthenticationState`: the creds and every signal key) kept in Postgres,
 * one row per key in `wa_engine_keys`, so a session moves to another worker with its lease and
 * resumes without a new QR, and no file is ever written to disk. Each value is Baileys' own JSON
 * (`BufferJSON`, as `useMultiFileAuthState` writes it) encrypted under APP_SECRET (purpose
 * `wa-engine-keys`). A batch of keys Baileys hands to `keys.set` is written in ONE transaction: a
 * crash never leaves half a key set (a session key without the pre-key it consumed…). Writes
 * run one after another in the order Baileys made them, so a later value of a key always wins.
 */

/** The row of the creds themselves (every other row is a signal key: type + id). */
export const CREDS_TYPE = "creds";
/** How many keys one INSERT carries (Baileys uploads pre-keys by the hundred). */
const INSERT_CHUNK = 500;

/** The stored creds cannot be used (another APP_SECRET, a tampered row, not Baileys' JSON). */
export class BaileysCredentialsError extends Error {
  constructor(cause: string) {
    super(`The stored credentials cannot be used (${cause}). Log out and link the number again.`);
    this.name = "BaileysCredentialsError";
  }
}

/** The part of the library the store uses, loaded lazily by `loadBaileysAuth`. */
type TBaileysAuthLibrary = Pick<
  typeof Baileys,
  "BufferJSON" | "initAuthCreds" | "makeCacheableSignalKeyStore" | "proto"
>;

export type TBaileysAuth = {
  /** Hand this to `makeWASocket({ auth })`. */
  state: AuthenticationState;
  /** Writes the creds as they are now (on every `creds.update`). */
  saveCreds: () => Promise<void>;
  /** Deletes the session's whole login (log-out); later writes of this state are dropped. */
  clear: () => Promise<void>;
  /** Resolves once every write asked for so far has landed. */
  settled: () => Promise<void>;
  /** The number is linked: WhatsApp accepted this device (a pairing merely asked for is not). */
  isLinked: () => boolean;
};

/** A value as stored: Baileys' JSON (Buffers kept), encrypted. */
export function sealKeyValue(value: unknown, appSecret: string, library: Pick<TBaileysAuthLibrary, "BufferJSON">) {
  return encryptSecret(JSON.stringify(value, library.BufferJSON.replacer), appSecret, "wa-engine-keys");
}

/** A stored value back (throws SecretDecryptionError or SyntaxError when it cannot be read). */
export function openKeyValue(blob: Buffer, appSecret: string, library: Pick<TBaileysAuthLibrary, "BufferJSON">) {
  return JSON.parse(
    decryptSecret(blob, appSecret, "wa-engine-keys").toString("utf8"),
    library.BufferJSON.reviver,
  ) as unknown;
}

/** Whether creds belong to a linked device: `account` is WhatsApp's signed device identity, set on pairing. */
export function isLinkedCreds(creds: Pick<AuthenticationCreds, "me" | "account">): boolean {
  return Boolean(creds.me?.id && creds.account);
}

/**
 * Loads a session's login (fresh creds when it has none) and returns the state Baileys runs on.
 * Throws BaileysCredentialsError when the stored creds cannot be read: the caller reports it as
 * a failed session instead of starting over and losing the link silently.
 */
export async function loadBaileysAuth(options: {
  db: TDb;
  sessionId: string;
  appSecret: string;
  log: Logger;
  /** The logger Baileys' key cache writes to (quiet). */
  libraryLog: TBaileysLogger;
  library?: TBaileysAuthLibrary;
}): Promise<TBaileysAuth> {
  const { db, sessionId, appSecret, log } = options;
  const library = options.library ?? (await import("@whiskeysockets/baileys"));
  const ofSession = eq(waEngineKeys.sessionId, sessionId);

  const [stored] = await db
    .select({ value: waEngineKeys.value })
    .from(waEngineKeys)
    .where(and(ofSession, eq(waEngineKeys.type, CREDS_TYPE), eq(waEngineKeys.keyId, "")));
  let creds: AuthenticationCreds;
  if (stored) {
    try {
      creds = openKeyValue(stored.value, appSecret, library) as AuthenticationCreds;
    } catch (error) {
      throw new BaileysCredentialsError(
        error instanceof SecretDecryptionError ? error.message : `not readable: ${(error as Error).message}`,
      );
    }
  } else {
    creds = library.initAuthCreds();
  }
  if (creds.me && !isLinkedCreds(creds)) {
    // A pairing by code that was asked for but never completed: not a login (Baileys would try to
    // log in as that number and be refused); this connection starts a fresh pairing instead.
    delete creds.me;
    creds.pairingCode = undefined;
  }

  /** Writes, one after another; `closed` once the login was cleared (a dying socket's writes are dropped). */
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const serial = (write: () => Promise<void>, always = false) => {
    const next = chain.then(() => (closed && !always ? undefined : write()));
    // The chain goes on after a failed write; the caller still hears of the failure.
    chain = next.catch(() => undefined);
    return next;
  };

  const store = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return found;
      const rows = await db
        .select({ keyId: waEngineKeys.keyId, value: waEngineKeys.value })
        .from(waEngineKeys)
        .where(and(ofSession, eq(waEngineKeys.type, type), inArray(waEngineKeys.keyId, ids)));
      for (const row of rows) {
        try {
          let value = openKeyValue(row.value, appSecret, library);
          if (type === "app-state-sync-key" && value) {
            value = library.proto.Message.AppStateSyncKeyData.fromObject(value);
          }
          found[row.keyId] = value as SignalDataTypeMap[T];
        } catch (error) {
          // One unreadable key is a missing key: Baileys asks for it again or renegotiates that
          // chat's session; failing the whole lookup would stop every message of the batch.
          log.warn({ err: error, sessionId, type, keyId: row.keyId }, "a stored WhatsApp key cannot be read; ignored");
        }
      }
      return found;
    },
    set(data: SignalDataSet) {
      const upserts: { sessionId: string; type: string; keyId: string; value: Buffer }[] = [];
      const deletes = new Map<string, string[]>();
      for (const [type, values] of Object.entries(data)) {
        for (const [keyId, value] of Object.entries(values ?? {})) {
          if (value === null || value === undefined) deletes.set(type, [...(deletes.get(type) ?? []), keyId]);
          else upserts.push({ sessionId, type, keyId, value: sealKeyValue(value, appSecret, library) });
        }
      }
      if (upserts.length === 0 && deletes.size === 0) return Promise.resolve();
      return serial(() =>
        db.transaction(async (tx) => {
          for (let index = 0; index < upserts.length; index += INSERT_CHUNK) {
            await tx
              .insert(waEngineKeys)
              .values(upserts.slice(index, index + INSERT_CHUNK))
              .onConflictDoUpdate({
                target: [waEngineKeys.sessionId, waEngineKeys.type, waEngineKeys.keyId],
                set: { value: sql`excluded.value`, updatedAt: sql`now()` },
              });
          }
          for (const [type, keyIds] of deletes) {
            await tx
              .delete(waEngineKeys)
              .where(and(ofSession, eq(waEngineKeys.type, type), inArray(waEngineKeys.keyId, keyIds)));
          }
        }),
      );
    },
  };

  return {
    state: { creds, keys: library.makeCacheableSignalKeyStore(store, options.libraryLog) },
    saveCreds() {
      return serial(async () => {
        const value = sealKeyValue(creds, appSecret, library);
        await db
          .insert(waEngineKeys)
          .values({ sessionId, type: CREDS_TYPE, keyId: "", value })
          .onConflictDoUpdate({
            target: [waEngineKeys.sessionId, waEngineKeys.type, waEngineKeys.keyId],
            set: { value, updatedAt: sql`now()` },
          });
      });
    },
    async clear() {
      const done = serial(async () => {
        await db.delete(waEngineKeys).where(ofSession);
      }, true);
      closed = true;
      await done;
    },
    settled: () => chain,
    isLinked: () => isLinkedCreds(creds),
  };
}

/** Deletes a session's stored login without loading it (log-out of a login that cannot be read). */
export async function deleteBaileysAuth(db: TDb, sessionId: string) {
  await db.delete(waEngineKeys).where(eq(waEngineKeys.sessionId, sessionId));
}
