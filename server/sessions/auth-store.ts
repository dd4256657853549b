import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { waSessionAuth } from "~/db/schema";
import { decryptSecret, encryptSecret } from "~/server/lib/secrets";

/**
 * whatsapp-web.js's RemoteAuth store, in Postgres: the zipped browser profile that keeps a
 * number linked, encrypted with AES-256-GCM under a key derived from APP_SECRET
 * (`wa_session_auth`, one row per session). RemoteAuth writes the zip to
 * `<dataPath>/<session>.zip` before `save` and expects `extract` to write it to `path`.
 * A tampered archive, or one encrypted under another APP_SECRET, makes `extract` throw:
 * it is refused, never loaded.
 */
export function createPostgresAuthStore(options: {
  db: TDbOrTx;
  sessionId: string;
  appSecret: string;
  /** RemoteAuth's `dataPath`, where it writes the zip before `save`. */
  dataPath: string;
}) {
  const { db, sessionId, appSecret } = options;
  return {
    async sessionExists(_: { session: string }): Promise<boolean> {
      const [row] = await db
        .select({ sessionId: waSessionAuth.sessionId })
        .from(waSessionAuth)
        .where(eq(waSessionAuth.sessionId, sessionId));
      return row !== undefined;
    },
    async save({ session }: { session: string }): Promise<void> {
      const zip = await readFile(path.join(options.dataPath, `${session}.zip`));
      const archive = encryptSecret(zip, appSecret, "wa-session-auth");
      await db
        .insert(waSessionAuth)
        .values({ sessionId, archive })
        .onConflictDoUpdate({ target: waSessionAuth.sessionId, set: { archive, updatedAt: new Date() } });
    },
    async extract({ path: target }: { session: string; path: string }): Promise<void> {
      const [row] = await db.select().from(waSessionAuth).where(eq(waSessionAuth.sessionId, sessionId));
      if (!row) throw new Error("no stored session to restore");
      await writeFile(target, decryptSecret(row.archive, appSecret, "wa-session-auth"));
    },
    async delete(_: { session: string }): Promise<void> {
      await db.delete(waSessionAuth).where(eq(waSessionAuth.sessionId, sessionId));
    },
  };
}
export type TPostgresAuthStore = ReturnType<typeof createPostgresAuthStore>;
