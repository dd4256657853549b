import { eq } from "drizzle-orm";
import { z } from "zod";
import type { TDb } from "~/db/client";
import { waSessions } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { resolvePhoneNumber } from "~/server/contacts/phone";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { engineCan } from "./engine-capabilities";
import { getEngine } from "./engines";
import { notifySessionRequest } from "./requests";

/**
 * Linking a number by a code typed on the phone instead of scanning a QR (WhatsApp's own words on
 * the phone: "Link with phone number instead"). Staff type the number being linked; this stores
 * the request on the session row (`pairing_phone`, `pairing_requested_at`) and wakes the worker
 * that runs the session. The worker asks its engine for a code (`requestPairingCode`), and the
 * code comes back through `recordSessionStatus` as `pairing_code` with a `session.status` event,
 * which the Sessions page shows live. The row is the request's one store: a worker that takes the
 * session over later still finds it. Only engines with the `pairing.code` capability can do this.
 */

/** The longest text accepted as a phone number: E.164 has at most 15 digits; punctuation and a `tel:` fit well within. */
const PAIRING_PHONE_MAX_LENGTH = 40;

export const ZRequestPairingCodeInput = z.object({
  id: z.uuid(),
  phone: z.string().trim().min(1, "Enter the number to link, with its country code").max(PAIRING_PHONE_MAX_LENGTH),
});
export type TRequestPairingCodeInput = z.infer<typeof ZRequestPairingCodeInput>;

/**
 * Asks the worker running the session for a pairing code for `phone` (as typed: read into E.164
 * by the project's phone rules, in the org's default country when it has no country code). The
 * session must exist, its engine must pair by code, and it must not be linked already. Any
 * earlier code is cleared, so the page shows "Waiting for the code…" until the new one comes.
 * Returns the number as it will be linked.
 */
export async function requestPairingCode(
  db: TDb,
  actor: TActor,
  sessionId: string,
  phone: string,
): Promise<{ phone: string }> {
  return db.transaction(async (tx) => {
    const [session] = await tx
      .select({ id: waSessions.id, kind: waSessions.kind, status: waSessions.status, name: waSessions.name })
      .from(waSessions)
      .where(eq(waSessions.id, sessionId))
      .for("update");
    if (!session) throw new AppError("NOT_FOUND", "No such session.");
    const engine = await getEngine(tx, session.kind);
    if (!engine || !engineCan(engine.capabilities, "pairing.code"))
      throw new AppError(
        "BAD_REQUEST",
        engine
          ? serverText("pairingCode.notByCode", { engine: engine.label })
          : "This engine cannot link a number by a code typed on the phone.",
      );
    if (session.status === "ready")
      throw new AppError("BAD_REQUEST", "This number is linked already. Log it out first to link it again.");
    const e164 = await resolvePhoneNumber(tx, phone, "phone");
    await tx
      .update(waSessions)
      .set({ pairingPhone: e164, pairingRequestedAt: new Date(), pairingCode: null, updatedAt: new Date() })
      .where(eq(waSessions.id, sessionId));
    await recordAudit(tx, actor, {
      action: "pairing_code",
      entity: "session",
      entityId: sessionId,
      after: { name: session.name, pairingPhone: e164 },
    });
    // Delivered at commit: the worker reads the row at once, not at its next lease tick.
    await notifySessionRequest(tx, { sessionId, request: "control" });
    return { phone: e164 };
  });
}
