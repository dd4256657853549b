import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { auditLog, flows, rules, webhooks } from "~/db/schema";
import { exportConfiguration } from "~/server/config-transfer/document";
import { applyImport, planImport, type TImportPlan } from "~/server/config-transfer/import";
import { AppError } from "~/server/errors";
import { saveProfile } from "~/server/profiles/profiles";
import { createRule, publishDraft } from "~/server/rules/rules";
import type { TRuleInput } from "~/server/rules/schema";
import { getOrgSettings, updateOrgSettings } from "~/server/settings/settings";
import { createTeam } from "~/server/teams/teams";
import { createEndpoint } from "~/server/webhooks/endpoints";
import { saveCollection, addTextSource } from "~/server/knowledge/sources";
import { createContactField } from "~/server/contacts/fields";
import { insertUser } from "../support/database";
import { MENU_FLOW, publishFlowRows } from "../support/flows";
import { repliesTo, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { sendAsContact } from "~/server/simulator/simulator";

/** The support menu flow, ending in an end step (as the editor's Publish requires; the import runs its checks). */
const MENU: typeof MENU_FLOW = {
  ...MENU_FLOW,
  definition: {
    ...MENU_FLOW.definition,
    steps: [
      ...(MENU_FLOW.definition.steps ?? []).map((step) => (step.type === "send" ? { ...step, next: "done" } : step)),
      { id: "done", type: "end" },
    ],
  },
};

const WEBHOOKS = { appSecret: "x".repeat(32), allowPrivate: true, rotationOverlapHours: 24 };
const keyword = (word: string) => ({
  all: [{ fact: "message.text" as const, operator: "containsWord" as const, value: word }],
});

/** A configured org: a field, a team, knowledge, a profile, a flow, rules pointing at them, settings, a webhook. */
async function configure(pipeline: TPipeline) {
  const { db, boss } = pipeline;
  const admin = await insertUser(db, "admin");
  await createContactField(db, admin, { key: "plan", label: "Plan", type: "choice", options: ["free", "pro"] });
  await createTeam(db, admin, {
    name: "Billing",
    ackMessage: "Billing will answer you soon.",
    closedMessage: "Billing will answer you soon.",
  });
  const collection = await saveCollection(db, admin, null, { name: "Prices", language: "english" });
  await addTextSource(db, boss, admin, { collectionId: collection.id, title: "Price list", text: "Pro costs 10." });
  const profile = await saveProfile(db, admin, null, {
    name: "Sales",
    persona: "A helpful seller",
    collectionIds: [collection.id],
  });
  const flowId = await publishFlowRows(db, MENU);
  const [team] = await db.execute<{ id: string }>(sql`select id from teams where name = 'Billing'`).then((r) => r.rows);
  const ruleset: TRuleInput[] = [
    {
      name: "Prices",
      priority: 10,
      conditions: keyword("price"),
      actions: [
        { type: "set_profile", profileId: profile.id },
        { type: "reply", text: "Pro costs 10, {{contact.name}}." },
      ],
      stopOnMatch: true,
    },
    { name: "Help", conditions: keyword("help"), actions: [{ type: "start_flow", flowId }], stopOnMatch: true },
    {
      name: "Agent",
      conditions: keyword("agent"),
      actions: [{ type: "handoff", teamId: team!.id, assigneeId: null, note: "" }],
      stopOnMatch: true,
    },
  ];
  for (const rule of ruleset) await createRule(db, admin, rule);
  await publishDraft(db, admin, {});
  await updateOrgSettings(db, admin, {
    defaultReply: { mode: "text", text: "Sorry, we did not understand: try help." },
  });
  const { secret } = await createEndpoint(
    db,
    admin,
    { url: "http://127.0.0.1:9/hook", description: "CRM", events: [] },
    WEBHOOKS,
  );
  return { admin, secret };
}

const CONVERSATIONS: Record<string, string[]> = {
  "+14155550191": ["what is the price", "something random", "agent please"],
  "+14155550192": ["help", "Returns"],
  "+14155550193": ["track", "Orders"],
};

/** Waits until the pipeline has decided `count` inbound messages of a contact. */
function waitForDecided(pipeline: TPipeline, waId: string, count: number) {
  return waitFor(
    async () => {
      const { rows } = await pipeline.db.execute<{ n: number }>(sql`select count(*)::int as n from messages m
        join threads t on t.id = m.thread_id join contacts c on c.id = t.contact_id
        where c.wa_id = ${waId} and m.direction = 'in' and m.processed_at is not null`);
      return (rows[0]?.n ?? 0) >= count ? true : undefined;
    },
    15_000,
    `${count} messages of ${waId} decided`,
  );
}

/** What the bot answered to the same Simulator messages, contact by contact. */
async function converse(pipeline: TPipeline) {
  const answers: Record<string, (string | null)[]> = {};
  for (const [waId, texts] of Object.entries(CONVERSATIONS)) {
    for (const [index, body] of texts.entries()) {
      await sendAsContact(pipeline.db, pipeline.boss, { phone: waId, name: "Ana Lima", body });
      await waitForDecided(pipeline, waId, index + 1);
    }
    answers[waId] = (await repliesTo(pipeline.db, waId)).map((reply) => reply.body);
  }
  return answers;
}

async function rowCounts(db: TDb) {
  const { rows } = await db.execute<Record<string, number>>(sql`select
    (select count(*)::int from rules) as rules, (select count(*)::int from rule_versions) as rule_versions,
    (select count(*)::int from flows) as flows, (select count(*)::int from context_profiles) as profiles,
    (select count(*)::int from teams) as teams, (select count(*)::int from webhooks) as webhooks,
    (select count(*)::int from knowledge_collections) as collections, (select count(*)::int from settings) as settings,
    (select count(*)::int from contact_fields) as fields`);
  return rows[0];
}

function kind(plan: TImportPlan, name: TImportPlan["kinds"][number]["kind"]) {
  return plan.kinds.find((entry) => entry.kind === name)!;
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("configuration transfer", () => {
  it("[acceptance 3] a configuration exported from one instance imports into an empty one and the bot answers the same", async () => {
    const source = await startPipeline();
    const { admin, secret } = await configure(source);
    const exported = JSON.parse(JSON.stringify(await exportConfiguration(source.db))) as Record<string, unknown>;
    const text = JSON.stringify(exported);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"secret"/);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/); // no ids at all

    const target = await startPipeline();
    const importer = await insertUser(target.db, "admin");
    const plan = await planImport(target.db, exported);
    expect(plan.hasChanges).toBe(true);
    expect(kind(plan, "flows").added).toEqual(["Help menu"]);
    expect(kind(plan, "rules").added).toEqual(["Prices", "Help", "Agent"]);
    expect(kind(plan, "webhooks").added).toEqual(["http://127.0.0.1:9/hook"]);
    expect(plan.warnings).toContainEqual({ code: "webhookSecret", name: "http://127.0.0.1:9/hook" });
    await applyImport(target.db, exported, importer, {
      expectedPlanHash: plan.planHash,
      boss: target.boss,
      webhooks: WEBHOOKS,
    });

    // The same messages get the same answers (rules → profile, a flow started by a rule and by its keyword, a team's hand-off).
    const [before, after] = [await converse(source), await converse(target)];
    expect(after).toEqual(before);
    expect(before["+14155550191"]).toContain("Billing will answer you soon.");
    expect(before["+14155550192"]![0]).toMatch(/^Which do you need\?/);

    // Webhooks come without their secret: a new one, and off until someone gives it out.
    const [hook] = await target.db.select().from(webhooks);
    expect(hook).toMatchObject({ enabled: false, url: "http://127.0.0.1:9/hook" });
    expect(hook!.disabledReason).toMatch(/secret/);
    const [audit] = await target.db.select().from(auditLog).where(eq(auditLog.entity, "configuration"));
    expect(audit).toMatchObject({ action: "import", userId: importer.id });

    // Importing the same file again changes nothing.
    const again = await planImport(target.db, exported);
    expect(again.hasChanges).toBe(false);
    expect(kind(again, "rules").unchanged).toEqual(["Prices", "Help", "Agent"]);
    const counts = await rowCounts(target.db);
    await applyImport(target.db, exported, importer, { boss: target.boss, webhooks: WEBHOOKS });
    expect(await rowCounts(target.db)).toEqual(counts);
    void admin;
  }, 90_000);

  it("[diff] shows what an import changes, field by field, and what it removes or keeps", async () => {
    const source = await startPipeline();
    await configure(source);
    const exported = JSON.parse(JSON.stringify(await exportConfiguration(source.db))) as {
      profiles: { name: string; tone: string }[];
      rules: { draft: { name: string; description: string }[] };
    };
    // The instance drifts from the file: the file says something else about Sales, drops a rule.
    exported.profiles[0]!.tone = "formal and warm";
    exported.rules.draft = exported.rules.draft.filter((rule) => rule.name !== "Agent");
    await source.db.insert(flows).values({ name: "Local only", definition: MENU.definition as never });
    const plan = await planImport(source.db, exported);
    expect(kind(plan, "profiles").changed).toEqual([
      { name: "Sales", changes: [{ field: "tone", before: "friendly", after: "formal and warm" }] },
    ]);
    expect(kind(plan, "rules").removed).toEqual(["Agent"]);
    expect(kind(plan, "flows").kept).toEqual(["Local only"]);
    expect(kind(plan, "flows").unchanged).toEqual(["Help menu"]);

    // Applied: the profile changes, the draft loses the rule, the local flow stays.
    const admin = await insertUser(source.db, "admin");
    await applyImport(source.db, exported, admin, {
      expectedPlanHash: plan.planHash,
      boss: source.boss,
      webhooks: WEBHOOKS,
    });
    expect((await source.db.select({ name: rules.name }).from(rules)).map((row) => row.name).sort()).toEqual([
      "Help",
      "Prices",
    ]);
    expect((await source.db.select().from(flows)).map((row) => row.name).sort()).toEqual(["Help menu", "Local only"]);
    expect((await planImport(source.db, exported)).hasChanges).toBe(false);
  }, 60_000);

  it("[bad files] are refused with what is wrong, and nothing is written", async () => {
    const source = await startPipeline();
    await configure(source);
    const good = JSON.parse(JSON.stringify(await exportConfiguration(source.db))) as Record<string, unknown>;
    const target = await startPipeline();
    const admin = await insertUser(target.db, "admin");
    const counts = await rowCounts(target.db);
    const options = { boss: target.boss, webhooks: WEBHOOKS };

    expect((await refusal(planImport(target.db, "hello"))).message).toMatch(/not a Switchboard configuration/);
    expect((await refusal(planImport(target.db, { ...good, format: "switchboard.rules" }))).message).toMatch(
      /not a Switchboard configuration/,
    );
    expect((await refusal(applyImport(target.db, { ...good, version: 2 }, admin, options))).message).toMatch(
      /newer version \(2\)/,
    );
    // One broken rule among good parts: the whole file is refused, naming the rule.
    const rulesPart = good.rules as { draft: Record<string, unknown>[] };
    const broken = { ...good, rules: { ...rulesPart, draft: [{ ...rulesPart.draft[0], actions: [] }] } };
    const invalid = await refusal(applyImport(target.db, broken, admin, options));
    expect(invalid.code).toBe("BAD_REQUEST");
    expect(Object.keys(invalid.fieldErrors ?? {}).join()).toMatch(/Prices/);
    // A rule pointing at a flow neither side has.
    const dangling = {
      ...good,
      flows: [],
      rules: { draft: rulesPart.draft, published: null },
    };
    const missing = await refusal(planImport(target.db, dangling));
    expect(Object.values(missing.fieldErrors ?? {}).join()).toMatch(/Help menu/);
    // Two flows of one name (things are matched by name).
    const twice = { ...good, flows: [...(good.flows as unknown[]), ...(good.flows as unknown[])] };
    expect(Object.values((await refusal(planImport(target.db, twice))).fieldErrors ?? {}).join()).toMatch(
      /“Help menu” appears twice/,
    );
    // A plan reviewed before the instance changed is not applied.
    const plan = await planImport(target.db, good);
    await target.db.insert(flows).values({ name: "Help menu", definition: MENU.definition as never });
    expect(
      (await refusal(applyImport(target.db, good, admin, { ...options, expectedPlanHash: plan.planHash }))).code,
    ).toBe("CONFLICT");
    await target.db.delete(flows).where(eq(flows.name, "Help menu"));
    expect(await rowCounts(target.db)).toEqual(counts);
  }, 60_000);

  it("[deep files] a file nested too deeply or too large is refused with a clear error, never a 500", async () => {
    const target = await startPipeline();
    const depth = 20_000;
    const deep: unknown = JSON.parse('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
    const file = (x: unknown) => ({
      format: "switchboard-config",
      version: 1,
      flows: [{ name: "x", definition: { steps: [], x } }],
    });
    const tooDeep = await refusal(planImport(target.db, file(deep)));
    expect(tooDeep.code).toBe("BAD_REQUEST");
    expect(tooDeep.message).toMatch(/nests too deeply/);
    const wide = await refusal(planImport(target.db, file(Array.from({ length: 250_000 }, () => 1))));
    expect(wide.message).toMatch(/too many values/);
    // 60 levels is still read (and refused only for what the flow schema says).
    const fine = JSON.parse('{"a":'.repeat(55) + "1" + "}".repeat(55)) as unknown;
    const shallow = await refusal(planImport(target.db, file(fine)));
    expect(shallow.message).not.toMatch(/nests too deeply/);
  }, 60_000);

  it("[instance settings] retention and the admins' two-factor rule are neither exported nor imported", async () => {
    const source = await startPipeline();
    const admin = await insertUser(source.db, "admin");
    await updateOrgSettings(source.db, admin, {
      orgName: "Staging",
      messageRetentionDays: 7,
      mediaRetentionDays: 30,
      requireTwoFactorForAdmins: true,
    });
    const exported = JSON.parse(JSON.stringify(await exportConfiguration(source.db))) as {
      settings: Record<string, unknown>;
    };
    expect(exported.settings.orgName).toBe("Staging");
    for (const key of ["messageRetentionDays", "mediaRetentionDays", "requireTwoFactorForAdmins"])
      expect(exported.settings).not.toHaveProperty(key);

    // A file that has them anyway (edited by hand, or from an older build): they are ignored.
    const target = await startPipeline();
    const importer = await insertUser(target.db, "admin");
    await updateOrgSettings(target.db, importer, { messageRetentionDays: 365 });
    const file = {
      ...exported,
      settings: {
        ...exported.settings,
        messageRetentionDays: 7,
        mediaRetentionDays: 30,
        requireTwoFactorForAdmins: true,
      },
    };
    const plan = await planImport(target.db, file);
    const fields = kind(plan, "settings").changed.flatMap((entry) => entry.changes.map((change) => change.field));
    expect(fields).toContain("orgName");
    expect(fields).not.toContain("messageRetentionDays");
    await applyImport(target.db, file, importer, { boss: target.boss, webhooks: WEBHOOKS });
    const after = await getOrgSettings(target.db);
    expect(after).toMatchObject({
      orgName: "Staging",
      messageRetentionDays: 365,
      mediaRetentionDays: null,
      requireTwoFactorForAdmins: false,
    });
  }, 60_000);

  it("[publish checks] published flows and rules in a file pass the checks a Publish runs, or nothing is written", async () => {
    const source = await startPipeline();
    await configure(source);
    const good = JSON.parse(JSON.stringify(await exportConfiguration(source.db))) as {
      flows: { name: string; published: { name: string; definition: { steps: { next: unknown }[] } } | null }[];
    };
    const target = await startPipeline();
    const admin = await insertUser(target.db, "admin");
    const counts = await rowCounts(target.db);
    const options = { boss: target.boss, webhooks: WEBHOOKS };
    const copy = () => JSON.parse(JSON.stringify(good)) as typeof good;

    // A published flow the editor would refuse (the menu's options lead nowhere).
    const deadEnd = copy();
    deadEnd.flows[0]!.published!.definition.steps[0]!.next = null;
    const refused = await refusal(applyImport(target.db, deadEnd, admin, options));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.fieldErrors?.["flows: Help menu"]).toMatch(/.+/);

    // Two enabled flows starting on one keyword.
    const twice = copy();
    const other = JSON.parse(JSON.stringify(twice.flows[0])) as (typeof twice.flows)[number];
    other.name = "Orders menu";
    other.published!.name = "Orders menu";
    twice.flows.push(other);
    const taken = await refusal(applyImport(target.db, twice, admin, options));
    expect(taken.code).toBe("BAD_REQUEST");
    expect(Object.values(taken.fieldErrors ?? {}).join()).toMatch(/track/);

    // A published ruleset starting a flow that is only a draft.
    const draftOnly = copy();
    draftOnly.flows[0]!.published = null;
    const notPublished = await refusal(applyImport(target.db, draftOnly, admin, options));
    expect(notPublished.code).toBe("BAD_REQUEST");
    expect(Object.keys(notPublished.fieldErrors ?? {})).toEqual(["rules (published)"]);

    expect(await rowCounts(target.db)).toEqual(counts);
    // The good file still imports, with a publish recorded per flow and for the ruleset.
    await applyImport(target.db, good, admin, options);
    const audits = await target.db.select().from(auditLog).where(eq(auditLog.action, "publish"));
    expect(audits.map((row) => row.entity).sort()).toEqual(["flow", "ruleset"]);
  }, 60_000);

  it("[webhook urls] an endpoint is matched by its normalised URL: an upper-case host is not added again", async () => {
    const target = await startPipeline();
    const admin = await insertUser(target.db, "admin");
    const file = {
      format: "switchboard-config",
      version: 1,
      webhooks: [{ url: "http://LOCALHOST:9/hook", description: "CRM", events: [] }],
    };
    const options = { boss: target.boss, webhooks: WEBHOOKS };
    expect(kind(await planImport(target.db, file), "webhooks").added).toEqual(["http://localhost:9/hook"]);
    await applyImport(target.db, file, admin, options);
    const again = await planImport(target.db, file);
    expect(again.hasChanges).toBe(false);
    await applyImport(target.db, file, admin, options);
    expect((await target.db.select().from(webhooks)).map((row) => row.url)).toEqual(["http://localhost:9/hook"]);
  }, 60_000);
});
