import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { apiKeys, messages, ruleVersions, settings, users, waEngines, waSessions } from "~/db/schema";
import { ORG_KEY } from "~/server/settings/settings";

/** The getting-started steps, in the order a new admin takes them. */
export const CHECKLIST_STEPS = ["reply", "rule", "agent", "hours", "apiKey"] as const;
export type TChecklistStep = (typeof CHECKLIST_STEPS)[number];
export type TChecklist = { steps: { step: TChecklistStep; done: boolean; href: string }[]; done: boolean };

const HREF: Record<TChecklistStep, string> = {
  reply: "/simulator",
  rule: "/rules",
  agent: "/users",
  hours: "/settings",
  apiKey: "/api-keys",
};

/**
 * Where a new organisation stands, each step read from what it did (nothing is ticked by hand):
 * - reply: the bot answered someone (a rule's or the AI's reply went out, in the Simulator or on
 *   a number), or a real number was linked;
 * - rule: a rule set was published;
 * - agent: an enabled agent account exists;
 * - hours: the organisation's settings were saved (opening hours and time zone reviewed);
 * - apiKey: an API key was created (revoked ones count: it was done).
 * One statement of five `exists`.
 */
export async function getChecklist(db: TDbOrTx): Promise<TChecklist> {
  const { rows } = await db.execute<Record<TChecklistStep, boolean>>(sql`
    select
      exists (select 1 from ${messages} where direction = 'out' and source in ('rule', 'ai', 'flow') and status <> 'failed')
        or exists (
          select 1 from ${waSessions} s join ${waEngines} e on e.kind = s.kind where e.addable and s.phone is not null
        ) as "reply",
      exists (select 1 from ${ruleVersions}) as "rule",
      exists (select 1 from ${users} where role = 'agent' and not disabled) as "agent",
      exists (select 1 from ${settings} where key = ${ORG_KEY}) as "hours",
      exists (select 1 from ${apiKeys}) as "apiKey"`);
  const row = rows[0]!;
  const steps = CHECKLIST_STEPS.map((step) => ({ step, done: Boolean(row[step]), href: HREF[step] }));
  return { steps, done: steps.every((step) => step.done) };
}
