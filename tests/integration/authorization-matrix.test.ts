import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "~/server/api/root";
import type { TProcedureMeta } from "~/server/api/trpc";
import { USER_ROLES, type TRole, type TSessionUser } from "~/server/auth/roles";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

/**
 * The role table of shared/design.md, transcribed here on purpose instead of imported: the
 * code's copy (server/auth/roles.ts) is what is under test.
 *
 * | area                       | admin | builder | agent | manager |
 * | users, sessions, settings  | rw    | –       | –     | r       |
 * | rules, profiles, webhooks  | rw    | rw      | r     | r       |
 * | contacts                   | rw    | rw      | rw    | r       |
 * | inbox: take over, reply    | rw    | rw      | rw    | r       |
 * | analytics, audit log       | r     | r       | own   | r       |
 */
const DESIGN_ROLE_TABLE: Record<string, Record<TRole, string>> = {
  users: { admin: "rw", builder: "-", agent: "-", manager: "r" },
  config: { admin: "rw", builder: "rw", agent: "r", manager: "r" },
  contacts: { admin: "rw", builder: "rw", agent: "rw", manager: "r" },
  inbox: { admin: "rw", builder: "rw", agent: "rw", manager: "r" },
  insights: { admin: "r", builder: "r", agent: "own", manager: "r" },
};

/**
 * Which row of the table (and read or write) each procedure belongs to, decided here, by the
 * test, from what the procedure does. A procedure missing from this list fails the test.
 */
const PROCEDURE_AREAS: Record<
  string,
  "public" | "signed-in" | [area: keyof typeof DESIGN_ROLE_TABLE, level: "read" | "write"]
> = {
  "auth.me": "signed-in",
  "account.sessions": "signed-in",
  "account.revokeSession": "signed-in",
  "account.revokeOtherSessions": "signed-in",
  "account.twoFactor": "signed-in",
  "account.startTwoFactor": "signed-in",
  "account.confirmTwoFactor": "signed-in",
  "account.disableTwoFactor": "signed-in",
  "account.regenerateRecoveryCodes": "signed-in",
  "account.setLocale": "signed-in",
  "users.signOutEverywhere": ["users", "write"],
  "users.resetTwoFactor": ["users", "write"],
  "users.list": ["users", "read"],
  "users.create": ["users", "write"],
  "users.update": ["users", "write"],
  "users.setDisabled": ["users", "write"],
  "users.resetPassword": ["users", "write"],
  "settings.get": ["users", "read"],
  "settings.update": ["users", "write"],
  "configTransfer.exportConfiguration": ["config", "read"],
  "configTransfer.planImport": ["users", "write"],
  "configTransfer.applyImport": ["users", "write"],
  "inbox.list": ["inbox", "read"],
  "inbox.counts": ["inbox", "read"],
  "inbox.thread": ["inbox", "read"],
  "inbox.markRead": ["inbox", "read"],
  "inbox.watchPresence": ["inbox", "read"],
  "inbox.agents": ["inbox", "read"],
  "inbox.senders": ["inbox", "read"],
  "inbox.start": ["inbox", "write"],
  "inbox.takeOver": ["inbox", "write"],
  "inbox.assign": ["inbox", "write"],
  "inbox.release": ["inbox", "write"],
  "inbox.close": ["inbox", "write"],
  "inbox.reopen": ["inbox", "write"],
  "inbox.reply": ["inbox", "write"],
  "scheduled.list": ["inbox", "read"],
  "scheduled.create": ["inbox", "write"],
  "scheduled.cancel": ["inbox", "write"],
  "media.assets": ["config", "read"],
  "media.createAsset": ["users", "write"],
  "media.renameAsset": ["users", "write"],
  "media.deleteAsset": ["users", "write"],
  "media.storage": ["users", "read"],
  "inbox.note": ["inbox", "write"],
  "inbox.suggest": ["inbox", "write"],
  "inbox.canned": ["inbox", "read"],
  "inbox.saveCanned": ["inbox", "write"],
  "inbox.deleteCanned": ["inbox", "write"],
  "inbox.renderCanned": ["inbox", "read"],
  "inbox.templates": ["inbox", "read"],
  "inbox.sendTemplate": ["inbox", "write"],
  "inbox.snooze": ["inbox", "write"],
  "inbox.wake": ["inbox", "write"],
  "inbox.tag": ["inbox", "write"],
  "inbox.labels": ["inbox", "read"],
  "inbox.bulkAssign": ["inbox", "write"],
  "inbox.bulkClose": ["inbox", "write"],
  "inbox.bulkLabel": ["inbox", "write"],
  "inbox.notifications": ["inbox", "read"],
  "inbox.readNotifications": ["inbox", "read"],
  "teams.list": ["inbox", "read"],
  "teams.create": ["users", "write"],
  "teams.update": ["users", "write"],
  "teams.delete": ["users", "write"],
  "teams.addMember": ["users", "write"],
  "teams.removeMember": ["users", "write"],
  "teams.setAvailability": ["inbox", "write"],
  "teams.heartbeat": ["inbox", "write"],
  "webhooks.eventTypes": ["config", "read"],
  "webhooks.list": ["config", "read"],
  "webhooks.create": ["config", "write"],
  "webhooks.update": ["config", "write"],
  "webhooks.delete": ["config", "write"],
  "webhooks.rotateSecret": ["config", "write"],
  "webhooks.sendTest": ["config", "write"],
  "webhooks.deliveries": ["config", "read"],
  "webhooks.delivery": ["config", "read"],
  "webhooks.redeliver": ["config", "write"],
  "apiKeys.list": ["users", "read"],
  "apiKeys.create": ["users", "write"],
  "apiKeys.revoke": ["users", "write"],
  "sessions.list": ["users", "read"],
  "sessions.engines": ["users", "read"],
  "sessions.create": ["users", "write"],
  "sessions.restart": ["users", "write"],
  "sessions.logout": ["users", "write"],
  "sessions.requestPairingCode": ["users", "write"],
  "sessions.delete": ["users", "write"],
  "sessions.updateSettings": ["users", "write"],
  "sessions.outreach": ["users", "read"],
  "sessions.createCloud": ["users", "write"],
  "sessions.updateCloud": ["users", "write"],
  "sessions.cloudSettings": ["users", "write"],
  "sessions.checkCloudToken": ["users", "write"],
  "sessions.syncTemplates": ["users", "write"],
  "sessions.templates": ["users", "read"],
  "analytics.overview": ["insights", "read"],
  "analytics.messages": ["insights", "read"],
  "analytics.responseTimes": ["insights", "read"],
  "analytics.busiestHours": ["insights", "read"],
  "analytics.rules": ["insights", "read"],
  "analytics.agents": ["insights", "read"],
  "analytics.teams": ["insights", "read"],
  "analytics.aiUsage": ["insights", "read"],
  "settings.ai": ["users", "read"],
  "settings.testAi": ["users", "write"],
  "audit.list": ["insights", "read"],
  "simulator.conversations": ["inbox", "read"],
  "simulator.thread": ["inbox", "read"],
  "simulator.send": ["inbox", "write"],
  "simulator.checkNumber": ["inbox", "write"],
  "flowRuns.test": ["config", "write"],
  "flowRuns.ofConversation": ["inbox", "read"],
  "flowRuns.analyticsFlows": ["insights", "read"],
  "flowRuns.analytics": ["insights", "read"],
  "outbox.failed": ["inbox", "read"],
  "outbox.retry": ["inbox", "write"],
  "outbox.stuck": ["inbox", "read"],
  "rules.catalog": ["config", "read"],
  "contacts.list": ["contacts", "read"],
  "contacts.get": ["contacts", "read"],
  "contacts.save": ["contacts", "write"],
  "contacts.importPreview": ["contacts", "write"],
  "contacts.import": ["contacts", "write"],
  "contacts.mergePreview": ["contacts", "write"],
  "contacts.merge": ["contacts", "write"],
  "dataRights.erase": ["users", "write"],
  "contacts.setFields": ["contacts", "write"],
  "contactFields.list": ["contacts", "read"],
  "contactFields.create": ["users", "write"],
  "contactFields.update": ["users", "write"],
  "contactFields.delete": ["users", "write"],
  "contactFields.reorder": ["users", "write"],
  "settings.secrets": ["users", "read"],
  "settings.secretNames": ["config", "read"],
  "settings.setSecret": ["users", "write"],
  "settings.deleteSecret": ["users", "write"],
  "profiles.list": ["config", "read"],
  "profiles.collections": ["config", "read"],
  "profiles.save": ["config", "write"],
  "profiles.delete": ["config", "write"],
  "profiles.preview": ["config", "read"],
  "evaluation.questions": ["config", "read"],
  "evaluation.saveQuestion": ["config", "write"],
  "evaluation.deleteQuestion": ["config", "write"],
  "evaluation.exportCsv": ["config", "read"],
  "evaluation.importCsv": ["config", "write"],
  "evaluation.runs": ["config", "read"],
  "evaluation.run": ["config", "read"],
  "evaluation.start": ["config", "write"],
  "evaluation.compare": ["config", "read"],
  "aiTools.list": ["config", "read"],
  "aiTools.save": ["config", "write"],
  "aiTools.delete": ["config", "write"],
  "aiTools.setProfiles": ["config", "write"],
  "aiTools.ofProfile": ["config", "read"],
  "aiTools.setOfProfile": ["config", "write"],
  "aiTools.test": ["config", "write"],
  "aiTools.ofConversation": ["inbox", "read"],
  "campaigns.segments": ["config", "read"],
  "campaigns.countSegment": ["config", "read"],
  "campaigns.saveSegment": ["config", "write"],
  "campaigns.deleteSegment": ["config", "write"],
  "campaigns.list": ["config", "read"],
  "campaigns.numbers": ["config", "read"],
  "campaigns.get": ["config", "read"],
  "campaigns.save": ["config", "write"],
  "campaigns.start": ["config", "write"],
  "campaigns.pause": ["config", "write"],
  "campaigns.resume": ["config", "write"],
  "campaigns.cancel": ["config", "write"],
  "campaigns.importList": ["config", "write"],
  "campaigns.listSummary": ["config", "read"],
  "campaigns.templates": ["config", "read"],
  "campaigns.previewAudience": ["config", "read"],
  "campaigns.preview": ["config", "read"],
  "campaigns.recipients": ["config", "read"],
  "knowledge.collections": ["config", "read"],
  "knowledge.saveCollection": ["config", "write"],
  "knowledge.deleteCollection": ["config", "write"],
  "knowledge.sources": ["config", "read"],
  "knowledge.passages": ["config", "read"],
  "knowledge.addText": ["config", "write"],
  "knowledge.addFile": ["config", "write"],
  "knowledge.addUrl": ["config", "write"],
  "knowledge.updateSource": ["config", "write"],
  "knowledge.deleteSource": ["config", "write"],
  "knowledge.reindex": ["config", "write"],
  "rules.list": ["config", "read"],
  "rules.checks": ["config", "read"],
  "rules.sendOptions": ["config", "read"],
  "rules.draftChanges": ["config", "read"],
  "rules.create": ["config", "write"],
  "rules.update": ["config", "write"],
  "rules.delete": ["config", "write"],
  "rules.reorder": ["config", "write"],
  "rules.test": ["config", "read"],
  "rules.replay": ["config", "read"],
  "rules.publish": ["config", "write"],
  "rules.versions": ["config", "read"],
  "rules.version": ["config", "read"],
  "rules.restore": ["config", "write"],
  "rules.export": ["config", "read"],
  "rules.import": ["config", "write"],
  "flows.list": ["config", "read"],
  "flows.get": ["config", "read"],
  "flows.editorContext": ["config", "read"],
  "flows.check": ["config", "read"],
  "flows.create": ["config", "write"],
  "flows.update": ["config", "write"],
  "flows.delete": ["config", "write"],
  "flows.duplicate": ["config", "write"],
  "flows.setEnabled": ["config", "write"],
  "flows.publish": ["config", "write"],
  "flows.versions": ["config", "read"],
  "flows.diff": ["config", "read"],
  "flows.restore": ["config", "write"],
  "flows.export": ["config", "read"],
  "flows.import": ["config", "write"],
};

type TOutcome = "allowed" | "FORBIDDEN" | "UNAUTHORIZED";

function expectedOutcome(path: string, role: TRole | null): TOutcome {
  const access = PROCEDURE_AREAS[path];
  if (!access)
    throw new Error(`${path} is not in PROCEDURE_AREAS: add it with the row of the role table it belongs to`);
  if (access === "public") return "allowed";
  if (role === null) return "UNAUTHORIZED";
  if (access === "signed-in") return "allowed";
  const [area, level] = access;
  const grant = DESIGN_ROLE_TABLE[area]?.[role];
  if (grant === undefined) throw new Error(`area ${area} is not in the design's role table`);
  const allowed = level === "read" ? grant !== "-" : grant === "rw";
  return allowed ? "allowed" : "FORBIDDEN";
}

/** Calls a procedure by its dotted path with an input no schema accepts, so nothing is changed. */
async function outcomeOf(db: TTestDatabase["db"], user: TSessionUser | null, path: string): Promise<TOutcome> {
  const caller = createCaller(testContext({ db, user })) as unknown as Record<string, unknown>;
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  try {
    await (procedure as (input: unknown) => Promise<unknown>)("__authorization_matrix_probe__");
    return "allowed";
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "FORBIDDEN" || error.code === "UNAUTHORIZED")) return error.code;
    // Any other error (BAD_REQUEST for the probe input, NOT_FOUND…) means the caller got past authorization.
    return "allowed";
  }
}

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta?: TProcedureMeta } }>,
);

describe("authorization matrix", () => {
  let database: TTestDatabase;
  const usersByRole = new Map<TRole, TSessionUser>();

  beforeAll(async () => {
    database = await useTestDatabase();
    for (const role of USER_ROLES) usersByRole.set(role, await insertUser(database.db, role));
  });

  it("knows every procedure of the router, and only those", () => {
    expect(procedures.map(([path]) => path).sort()).toEqual(Object.keys(PROCEDURE_AREAS).sort());
  });

  it.each(procedures.map(([path]) => path))("[%s] declares who may call it", (path) => {
    const meta = procedures.find(([candidate]) => candidate === path)?.[1]._def.meta;
    expect(
      meta?.access,
      `${path} has no declared access: build it from requireAccess(), signedInProcedure or publicProcedure`,
    ).toBeDefined();
  });

  const cases = procedures.flatMap(([path]) => [...USER_ROLES, null].map((role) => ({ path, role })));

  it.each(cases)("[$role] calling $path", async ({ path, role }) => {
    const expected = expectedOutcome(path, role);
    const user = role ? (usersByRole.get(role) ?? null) : null;
    expect(await outcomeOf(database.db, user, path)).toBe(expected);
  });
});
