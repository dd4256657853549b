import { eq } from "drizzle-orm";
import type { TDb, TDbOrTx } from "~/db/client";
import { settings } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import {
  readOrgSettings,
  type TOrgSettings,
  type TUpdateOrgSettingsInput,
  ZOrgSettings,
  ZUpdateOrgSettingsInput,
} from "./schema";

export const ORG_KEY = "org";

export async function getOrgSettings(db: TDbOrTx): Promise<TOrgSettings> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, ORG_KEY));
  return readOrgSettings(row?.value);
}

/** Changes the fields given in `patch` and keeps the others; validated and audited. */
export async function updateOrgSettings(db: TDb, actor: TActor, patch: TUpdateOrgSettingsInput): Promise<TOrgSettings> {
  const changes = ZUpdateOrgSettingsInput.parse(patch);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ value: settings.value })
      .from(settings)
      .where(eq(settings.key, ORG_KEY))
      .for("update");
    const before = readOrgSettings(row?.value);
    const after = ZOrgSettings.parse({ ...before, ...changes });
    await tx
      .insert(settings)
      .values({ key: ORG_KEY, value: after, updatedBy: actor?.id ?? null })
      .onConflictDoUpdate({
        target: settings.key,
        set: { value: after, updatedBy: actor?.id ?? null, updatedAt: new Date() },
      });
    await recordAudit(tx, actor, { action: "update", entity: "settings", entityId: ORG_KEY, before, after });
    return after;
  });
}
