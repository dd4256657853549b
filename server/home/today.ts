import { and, asc, eq, ne } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { waEngines, waSessions } from "~/db/schema";
import { getOverview } from "~/server/analytics/overview";
import type { TSessionUser } from "~/server/auth/roles";
import { inboxCounts } from "~/server/inbox/list";
import { getOrgSettings } from "~/server/settings/settings";

/** Today's date (YYYY-MM-DD) in a time zone. */
export function dayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** WhatsApp numbers that are not connected now, by name: sessions of engines staff add (not the built-in test phone). */
export async function numbersDown(db: TDbOrTx): Promise<{ id: string; name: string; status: string }[]> {
  return db
    .select({ id: waSessions.id, name: waSessions.name, status: waSessions.status })
    .from(waSessions)
    .innerJoin(waEngines, eq(waEngines.kind, waSessions.kind))
    .where(and(eq(waEngines.addable, true), ne(waSessions.status, "ready")))
    .orderBy(asc(waSessions.name));
}

/**
 * The summary of today for the home page: the day so far in the organisation's time zone (the
 * same figures as Analytics for one day), who waits for a person now, and numbers that are down.
 */
export async function getToday(db: TDbOrTx, user: TSessionUser, now = new Date()) {
  const { timeZone } = await getOrgSettings(db);
  const today = dayIn(timeZone, now);
  const [overview, counts, down] = await Promise.all([
    getOverview(db, { from: today, to: today }),
    inboxCounts(db, user),
    numbersDown(db),
  ]);
  return { timeZone, day: today, figures: overview.current, needsPerson: counts.needsHuman, numbersDown: down };
}
