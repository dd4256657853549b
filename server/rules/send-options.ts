import { asc, inArray } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { waSessions } from "~/db/schema";
import { listTemplates } from "~/server/cloud/templates";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { listEngines } from "~/server/sessions/engines";

/**
 * What the rule editor offers for what rules send, from the engines' capabilities (never their
 * kinds): which published engines show a choice as buttons and which as a numbered menu, and the
 * approved templates of the numbers whose engine sends templates (grouped by number; numbers
 * without any left out).
 */
export async function listSendOptions(db: TDbOrTx) {
  const engines = await listEngines(db);
  const withTemplates = engines.filter((engine) => engineCan(engine.capabilities, "templates")).map((e) => e.kind);
  const sessions =
    withTemplates.length === 0
      ? []
      : await db
          .select({ id: waSessions.id, name: waSessions.name, phone: waSessions.phone, kind: waSessions.kind })
          .from(waSessions)
          .where(inArray(waSessions.kind, withTemplates))
          .orderBy(asc(waSessions.name));
  const numbers = [];
  for (const session of sessions) {
    const templates = await listTemplates(db, session.id, { approvedOnly: true });
    if (templates.length === 0) continue;
    numbers.push({
      sessionId: session.id,
      name: session.name,
      phone: session.phone,
      templates: templates.map((template) => ({
        name: template.name,
        language: template.language,
        category: template.category,
        shape: template.shape,
      })),
    });
  }
  return {
    engines: engines.map((engine) => ({
      kind: engine.kind,
      label: engine.label,
      buttons: engineCan(engine.capabilities, "buttons"),
      templates: engineCan(engine.capabilities, "templates"),
    })),
    numbers,
  };
}
