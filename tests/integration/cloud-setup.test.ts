import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, waSessions, waTemplates } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { openCloudSecrets } from "~/server/cloud/config";
import type { TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { ENGINES } from "~/workers/engines/registry";
import { publishEngines } from "~/server/sessions/engines";
import type { TLocale } from "~/server/i18n/locales";
import { createLogger } from "~/server/logger";
import { handleCloudTemplates } from "~/workers/handlers/cloud-templates";
import type { TJobContext } from "~/workers/runtime";
import { insertUser } from "../support/database";
import { createFakeGraph, EXAMPLE_TEMPLATES, FAKE_GRAPH_DEFAULTS, type TFakeGraph } from "../support/fake-graph-server";
import { usePreparedDatabase } from "../support/pipeline";
import { trpcHttpClient } from "../support/trpc-http";
import { TEST_APP_SECRET, testContext } from "../support/trpc-context";

/**
 * Setting a Cloud API number up through tRPC against the fake Graph API: settings stored, secrets
 * sealed and never sent back, the token checked with one real call (and each way it can be
 * wrong named), templates synced page by page in one transaction.
 */

/** The cloud engine as its workers publish it: the setup asks its capabilities (`webhookInbound`, `templates`). */
const WEBHOOK_ENGINE: TEngineDescriptor = ENGINES.cloud.descriptor;

const APP_SECRET_HEX = "0123456789abcdef0123456789abcdef";
const VERIFY_TOKEN = "verify-token-1234";

let graph: TFakeGraph;
let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let admin: ReturnType<typeof createCaller>;
let agentCaller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  graph = await createFakeGraph({ templates: EXAMPLE_TEMPLATES });
  database = await usePreparedDatabase();
  await publishEngines(database.db, [WEBHOOK_ENGINE], "test");
  const context = { db: database.db, cloudApi: { baseUrl: graph.url, publicOrigin: null } };
  admin = createCaller(testContext({ ...context, user: await insertUser(database.db, "admin") }));
  agentCaller = createCaller(testContext({ ...context, user: await insertUser(database.db, "agent") }));
});
afterAll(async () => {
  await graph.close();
});

function setupInput(overrides: Record<string, string> = {}) {
  return {
    name: "Bakery",
    engine: "cloud",
    phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
    businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId,
    accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
    appSecret: APP_SECRET_HEX,
    verifyToken: VERIFY_TOKEN,
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => null,
    (caught: unknown) => caught,
  )) as { message: string; cause?: { fieldErrors?: Record<string, string>; issues?: { path: string[] }[] } } | null;
  expect(error, "expected a refusal").not.toBeNull();
  return error!;
}

/**
 * A proxy to the fake Graph API that passes the first page of a list and fails every later one
 * (Meta's "service temporarily unavailable"), with paging links rewritten to come back through it.
 */
async function failingSecondPage(target: string, nextOrigin?: string) {
  const pages: number[] = [];
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? "/", target);
    pages.push(url.searchParams.has("after") ? 2 : 1);
    if (url.searchParams.has("after")) {
      response
        .writeHead(503, { "content-type": "application/json" })
        .end(
          JSON.stringify({ error: { message: "Service temporarily unavailable", type: "OAuthException", code: 2 } }),
        );
      return;
    }
    void fetch(url, { headers: { authorization: request.headers.authorization ?? "" } }).then(async (answer) => {
      const text = (await answer.text()).replaceAll(target, nextOrigin ?? own);
      response.writeHead(answer.status, { "content-type": "application/json" }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: own,
    pages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The dashboard's view: over HTTP through tRPC's error formatter, in a language. */
function http(locale: TLocale) {
  return trpcHttpClient(async () =>
    testContext({
      db: database.db,
      user: await insertUser(database.db, "admin"),
      locale,
      cloudApi: { baseUrl: graph.url, publicOrigin: null },
    }),
  );
}

/** A port nothing listens on: opened and closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("setting up a Cloud API number", () => {
  it("[admin] creates one: config stored as it is, secrets sealed (the column holds no token), audited without them", async () => {
    const created = await admin.sessions.createCloud(setupInput());
    const [row] = await database.db.select().from(waSessions).where(eq(waSessions.id, created.id));
    expect(row).toMatchObject({
      kind: "cloud",
      status: "new",
      engineConfig: {
        phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
        businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId,
        graphVersion: "v26.0",
      },
    });
    const raw = row!.engineSecrets!;
    for (const secret of [FAKE_GRAPH_DEFAULTS.accessToken, APP_SECRET_HEX, VERIFY_TOKEN]) {
      expect(raw.includes(Buffer.from(secret))).toBe(false);
      expect(raw.toString("base64")).not.toContain(Buffer.from(secret).toString("base64"));
    }
    expect(openCloudSecrets(raw, TEST_APP_SECRET)).toEqual({
      accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
      appSecret: APP_SECRET_HEX,
      verifyToken: VERIFY_TOKEN,
    });
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.entityId, created.id));
    const logged = JSON.stringify(audits);
    expect(audits).toHaveLength(1);
    expect(logged).toContain(FAKE_GRAPH_DEFAULTS.number.id);
    for (const secret of [FAKE_GRAPH_DEFAULTS.accessToken, APP_SECRET_HEX, VERIFY_TOKEN])
      expect(logged).not.toContain(secret);
  });

  it("invalid ids, token, app secret and verify token are refused field by field", async () => {
    const answer = await http("en")(
      "mutation",
      "sessions.createCloud",
      setupInput({
        name: "Bakery 2",
        phoneNumberId: "12ab",
        businessAccountId: "",
        accessToken: "short",
        appSecret: "not hex!",
        verifyToken: "has space",
      }),
    );
    expect(answer.status).toBe(400);
    const fields = answer.fieldErrors ?? {};
    expect(Object.keys(fields).sort()).toEqual(
      ["accessToken", "appSecret", "businessAccountId", "phoneNumberId", "verifyToken"].sort(),
    );
    expect(fields.phoneNumberId).toBe("The phone number ID is the digits Meta shows under WhatsApp → API Setup");
    expect(fields.appSecret).toBe("The app secret is the hexadecimal string under App settings → Basic");
    expect(await database.db.select().from(waSessions).where(eq(waSessions.name, "Bakery 2"))).toHaveLength(0);
  });

  it("an engine without webhook inbound has no Cloud API settings; an agent cannot set one up", async () => {
    const refused = await refusal(admin.sessions.createCloud(setupInput({ engine: "wwebjs" })));
    expect(refused.message).toBe("WhatsApp Web numbers have no Cloud API settings.");
    await refusal(agentCaller.sessions.createCloud(setupInput({ name: "Agent's" })));
    // Nor is one made without its settings through the generic form.
    expect((await refusal(admin.sessions.create({ name: "Bare", engine: "cloud" }))).message).toBe(
      "WhatsApp Cloud API numbers are added with their settings (phone number ID, token, app secret): use the form for them.",
    );
  });

  it("the list and the settings never return a secret: the page gets the token's last four characters, the webhook path and fields", async () => {
    const created = await admin.sessions.createCloud(setupInput({ name: "Listed" }));
    const listed = JSON.stringify(await admin.sessions.list());
    expect(listed).toContain("Listed");
    for (const secret of [FAKE_GRAPH_DEFAULTS.accessToken, APP_SECRET_HEX, VERIFY_TOKEN])
      expect(listed).not.toContain(secret);
    const settings = await admin.sessions.cloudSettings({ id: created.id });
    expect(settings).toMatchObject({
      phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
      webhookPath: `/api/whatsapp/cloud/${created.id}`,
      webhookFields: ["messages"],
      verifyToken: VERIFY_TOKEN,
      accessTokenEnd: FAKE_GRAPH_DEFAULTS.accessToken.slice(-4),
      appSecretSet: true,
      secretsUnreadable: false,
    });
    expect(JSON.stringify(settings)).not.toContain(FAKE_GRAPH_DEFAULTS.accessToken);
    expect(JSON.stringify(settings)).not.toContain(APP_SECRET_HEX);
    // The verify token is for admins who paste it into Meta: an agent does not get it.
    await refusal(agentCaller.sessions.cloudSettings({ id: created.id }));
  });

  it("editing keeps blank secrets, replaces given fields and asks the worker to restart", async () => {
    const created = await admin.sessions.createCloud(setupInput({ name: "Edited" }));
    const newToken = "EAANewToken-abcdefghijklmnopqrstuvwxyz";
    await admin.sessions.updateCloud({
      id: created.id,
      accessToken: newToken,
      appSecret: "",
      verifyToken: " ",
      graphVersion: "v25.0",
    });
    const [row] = await database.db.select().from(waSessions).where(eq(waSessions.id, created.id));
    expect(row!.restartRequestedAt).not.toBeNull();
    expect(row!.engineConfig).toMatchObject({ graphVersion: "v25.0", phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id });
    expect(openCloudSecrets(row!.engineSecrets!, TEST_APP_SECRET)).toEqual({
      accessToken: newToken,
      appSecret: APP_SECRET_HEX,
      verifyToken: VERIFY_TOKEN,
    });
  });
});

describe("checking the token with one real Graph call", () => {
  it("typed before saving: the token works, with the number and its verified name", async () => {
    const before = graph.requests.length;
    const result = await admin.sessions.checkCloudToken({
      phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
      accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
    });
    expect(result).toEqual({ phone: "+1 415-555-0100", name: "Switchboard Bakery", qualityRating: "GREEN" });
    const calls = graph.requests.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: "GET",
      path: `/v26.0/${FAKE_GRAPH_DEFAULTS.number.id}`,
      query: { fields: "display_phone_number,verified_name,quality_rating" },
      authorization: `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`,
    });
  });

  it("stored: a saved number is checked with its own settings and version", async () => {
    const created = await admin.sessions.createCloud(setupInput({ name: "Stored check", graphVersion: "v24.0" }));
    const before = graph.requests.length;
    await expect(admin.sessions.checkCloudToken({ id: created.id })).resolves.toMatchObject({
      name: "Switchboard Bakery",
    });
    expect(graph.requests.slice(before)[0]?.path).toBe(`/v24.0/${FAKE_GRAPH_DEFAULTS.number.id}`);
  });

  it("a wrong token names Meta's code 190, in the reader's language too", async () => {
    const input = { phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id, accessToken: "EAAWrongToken-0000000000000000" };
    const error = await refusal(admin.sessions.checkCloudToken(input));
    expect(error.message).toMatch(/^Meta refused the access token: it is invalid or has expired \(code 190: /);
    const spanish = await http("es")("mutation", "sessions.checkCloudToken", input);
    expect(spanish.message).toMatch(/^Meta rechazó el token de acceso: no es válido o ha caducado \(código 190: /);
    expect(spanish.fieldErrors).toEqual({ accessToken: "Meta rechazó este token: no es válido o ha caducado." });
  });

  it("an unknown phone number id is named", async () => {
    const error = await refusal(
      admin.sessions.checkCloudToken({ phoneNumberId: "999999999", accessToken: FAKE_GRAPH_DEFAULTS.accessToken }),
    );
    expect(error.message).toMatch(
      /^Meta does not know the phone number ID 999999999, or it is not in this token's business \(code 100: /,
    );
  });

  it("missing permissions and a refused version are told apart", async () => {
    const input = { phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id, accessToken: FAKE_GRAPH_DEFAULTS.accessToken };
    graph.failNext({ status: 403, code: 200, title: "(#200) Permissions error" });
    expect((await refusal(admin.sessions.checkCloudToken(input))).message).toMatch(
      /^The token has no permission for this number \(code 200: /,
    );
    graph.failNext({ status: 400, code: 2635, title: "You are calling a deprecated version of the Graph API" });
    expect((await refusal(admin.sessions.checkCloudToken({ ...input, graphVersion: "v2.0" }))).message).toMatch(
      /^Meta refused the Graph API version v2\.0 /,
    );
  });

  it("Meta unreachable (a closed port) is said as such", async () => {
    const closed = createCaller(
      testContext({
        db: database.db,
        user: await insertUser(database.db, "admin"),
        cloudApi: { baseUrl: `http://127.0.0.1:${await closedPort()}`, publicOrigin: null },
      }),
    );
    const error = await refusal(
      closed.sessions.checkCloudToken({
        phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
        accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
      }),
    );
    expect(error.message).toBe(
      "Meta could not be reached (ECONNREFUSED). Check this server's internet connection and try again.",
    );
  });
});

describe("syncing templates", () => {
  const manyTemplates = (count: number) =>
    Array.from({ length: count }, (_, index) => ({
      name: `template_${String(index).padStart(3, "0")}`,
      language: index % 2 ? "en_US" : "pt_BR",
      status: index % 5 === 0 ? "PENDING" : "APPROVED",
      category: "UTILITY",
      id: String(9_000_000 + index),
      components: [{ type: "BODY", text: `Hello {{1}}, number ${index}` }],
    }));
  const stored = async (sessionId: string) =>
    database.db.select().from(waTemplates).where(eq(waTemplates.sessionId, sessionId)).orderBy(waTemplates.name);

  it("reads every page (3 of 100), stores all; a second sync after one was deleted at Meta removes it", async () => {
    const created = await admin.sessions.createCloud(setupInput({ name: "Templates" }));
    graph.setTemplates(manyTemplates(250));
    const before = graph.requests.length;
    expect(await admin.sessions.syncTemplates({ id: created.id })).toEqual({
      added: 250,
      updated: 0,
      removed: 0,
      total: 250,
      skipped: 0,
    });
    const calls = graph.requests.slice(before);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      path: `/v26.0/${FAKE_GRAPH_DEFAULTS.businessAccountId}/message_templates`,
      query: { fields: "name,language,status,category,components,id", limit: "100" },
    });
    expect(await stored(created.id)).toHaveLength(250);

    graph.setTemplates(manyTemplates(250).filter((template) => template.name !== "template_123"));
    expect(await admin.sessions.syncTemplates({ id: created.id })).toMatchObject({
      added: 0,
      updated: 249,
      removed: 1,
    });
    const names = (await stored(created.id)).map((row) => row.name);
    expect(names).toHaveLength(249);
    expect(names).not.toContain("template_123");
  });

  it("a page failing halfway changes nothing", async () => {
    const created = await admin.sessions.createCloud(setupInput({ name: "Halfway" }));
    graph.setTemplates(EXAMPLE_TEMPLATES);
    await admin.sessions.syncTemplates({ id: created.id });
    const first = await stored(created.id);
    expect(first.map((row) => row.name)).toEqual(["hello_world", "menu_photo", "order_update", "spring_sale"]);

    graph.setTemplates(manyTemplates(250));
    // Between us and the fake Graph API: the first page passes, the second fails as Meta does when overloaded.
    const proxy = await failingSecondPage(graph.url);
    try {
      const viaProxy = createCaller(
        testContext({
          db: database.db,
          user: await insertUser(database.db, "admin"),
          cloudApi: { baseUrl: proxy.url, publicOrigin: null },
        }),
      );
      const error = await refusal(viaProxy.sessions.syncTemplates({ id: created.id }));
      expect(error.message).toMatch(/^Meta refused the check \(code 2\): /);
      expect(proxy.pages).toEqual([1, 2]);
    } finally {
      await proxy.close();
    }
    expect(await stored(created.id)).toEqual(first);
  });

  it("a paging link to another host is not followed with the token, and changes nothing", async () => {
    const created = await admin.sessions.createCloud(setupInput({ name: "Elsewhere" }));
    graph.setTemplates(EXAMPLE_TEMPLATES);
    await admin.sessions.syncTemplates({ id: created.id });
    const first = await stored(created.id);
    graph.setTemplates(manyTemplates(250));
    const proxy = await failingSecondPage(graph.url, "http://127.0.0.2:9");
    try {
      const viaProxy = createCaller(
        testContext({
          db: database.db,
          user: await insertUser(database.db, "admin"),
          cloudApi: { baseUrl: proxy.url, publicOrigin: null },
        }),
      );
      const error = await refusal(viaProxy.sessions.syncTemplates({ id: created.id }));
      expect(error.message).toBe("Meta answered the template list in a shape Switchboard does not know.");
      expect(proxy.pages).toEqual([1]);
    } finally {
      await proxy.close();
    }
    expect(await stored(created.id)).toEqual(first);
  });

  it("the daily job syncs every number with settings of an engine that sends templates", async () => {
    const created = await admin.sessions.createCloud(setupInput({ name: "Daily" }));
    graph.setTemplates(EXAMPLE_TEMPLATES);
    await handleCloudTemplates({}, {
      db: database.db,
      log: createLogger("test", "silent"),
      cloudApi: { appSecret: TEST_APP_SECRET, baseUrl: graph.url },
    } as unknown as TJobContext);
    const rows = await database.db
      .select()
      .from(waTemplates)
      .where(and(eq(waTemplates.sessionId, created.id), eq(waTemplates.name, "order_update")));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      language: "en_US",
      status: "APPROVED",
      category: "UTILITY",
      metaId: "1234567890123456",
    });
  });
});
