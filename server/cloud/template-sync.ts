import { and, eq, isNotNull, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb } from "~/db/client";
import { waSessions, waTemplates, type TStoredTemplateComponent } from "~/db/schema";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { listEngines } from "~/server/sessions/engines";
import { CloudConfigError, readCloudSession } from "./config";
import { GraphApiError, graphBaseUrl, graphRequest, GraphUnreachableError } from "./graph";
import { type TCloudSetupEnv, unreachableReason } from "./setup";

/**
 * Syncing a number's message templates from its WhatsApp Business Account into `wa_templates`:
 * every page is read first (Meta pages by `paging.next`), then one transaction replaces what is
 * stored — upserted by (session, name, language), templates Meta no longer returns deleted — so
 * a failure halfway changes nothing. Run from the Sessions page and by the daily `cloud.templates` job.
 */

/** At most this many pages of 100 templates are read (Meta allows 250 templates per account by default). */
export const TEMPLATE_SYNC_MAX_PAGES = 50;

const TEMPLATE_FIELDS = "name,language,status,category,components,id";

const ZGraphTemplate = z.object({
  id: z.string().max(64).optional(),
  name: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[^\0]+$/),
  language: z
    .string()
    .min(2)
    .max(20)
    .regex(/^[A-Za-z_-]+$/),
  status: z.string().min(1).max(40),
  category: z.string().max(40).optional(),
  components: z.array(z.looseObject({ type: z.string().min(1).max(40) })).max(20),
});

const ZGraphPage = z.object({
  data: z.array(z.unknown()).max(1_000),
  paging: z.object({ next: z.string().optional() }).optional(),
});

export type TTemplateSyncResult = { added: number; updated: number; removed: number; total: number; skipped: number };

/** Strings Postgres cannot store in jsonb (NUL, lone surrogates) out of what Meta returned. */
function storable(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\0/g, "").toWellFormed();
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storable(key) as string, storable(item)]));
  return value;
}

/** A failed page read in words for a person (nothing was changed). */
function syncFailure(error: unknown, businessAccountId: string, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return new AppError("BAD_REQUEST", serverText("cloudTemplateSync.timedOut"));
  if (error instanceof GraphUnreachableError)
    return new AppError("BAD_REQUEST", serverText("cloudSetup.unreachable", { reason: unreachableReason(error) }));
  if (!(error instanceof GraphApiError)) return error;
  const meta = { title: error.title, code: error.code ?? error.httpStatus };
  if (error.code === 190) return new AppError("BAD_REQUEST", serverText("cloudSetup.tokenInvalid", meta));
  if (error.code === 10 || (error.code !== null && error.code >= 200 && error.code <= 299))
    return new AppError("BAD_REQUEST", serverText("cloudSetup.noPermission", meta));
  if (error.code === 100)
    return new AppError(
      "BAD_REQUEST",
      serverText("cloudTemplateSync.unknownAccount", { ...meta, id: businessAccountId }),
    );
  return new AppError("BAD_REQUEST", serverText("cloudSetup.metaRefused", meta));
}

/**
 * Reads every template of the session's business account from Meta and stores them, or throws
 * (AppError with words for a person: not set up, Meta refused or unreachable, too many pages)
 * leaving the stored templates as they were.
 */
export async function syncTemplates(
  db: TDb,
  sessionId: string,
  env: TCloudSetupEnv,
  options: { signal?: AbortSignal; maxPages?: number } = {},
): Promise<TTemplateSyncResult> {
  let session;
  try {
    session = await readCloudSession(db, sessionId, env.appSecret);
  } catch (error) {
    if (error instanceof CloudConfigError) throw new AppError("BAD_REQUEST", serverText("cloudSetup.notSetUp"));
    throw error;
  }
  if (!session) throw new AppError("NOT_FOUND", "No such session.");
  const client = {
    baseUrl: env.baseUrl,
    version: session.config.graphVersion,
    accessToken: session.secrets.accessToken,
    timeoutMs: 20_000,
  };
  const base = graphBaseUrl(env.baseUrl);
  const maxPages = options.maxPages ?? TEMPLATE_SYNC_MAX_PAGES;
  const found = new Map<string, z.infer<typeof ZGraphTemplate>>();
  let skipped = 0;
  let next: string | null =
    `/${session.config.businessAccountId}/message_templates?fields=${TEMPLATE_FIELDS}&limit=100`;
  for (let page = 0; next; page += 1) {
    if (page >= maxPages)
      throw new AppError("BAD_REQUEST", serverText("cloudTemplateSync.tooManyPages", { pages: maxPages }));
    let body: unknown;
    try {
      body = await graphRequest(client, "GET", next, undefined, options.signal);
    } catch (error) {
      throw syncFailure(error, session.config.businessAccountId, options.signal);
    }
    const answer = ZGraphPage.safeParse(body);
    if (!answer.success) throw new AppError("BAD_REQUEST", serverText("cloudTemplateSync.badShape"));
    for (const item of answer.data.data) {
      const template = ZGraphTemplate.safeParse(item);
      if (!template.success) {
        skipped += 1;
        continue;
      }
      found.set(`${template.data.name}\u0000${template.data.language}`, template.data);
    }
    const link = answer.data.paging?.next;
    // The bearer token goes only back to the Graph API it came from, never to another host; a
    // link elsewhere is not taken as the end either (that would delete the templates not read).
    if (link && !link.startsWith(`${base}/`))
      throw new AppError("BAD_REQUEST", serverText("cloudTemplateSync.badShape"));
    next = link ?? null;
  }
  const templates = [...found.values()];
  return db.transaction(async (tx) => {
    await tx.execute(sql`select id from wa_sessions where id = ${sessionId} for update`);
    const existing = await tx
      .select({ name: waTemplates.name, language: waTemplates.language })
      .from(waTemplates)
      .where(eq(waTemplates.sessionId, sessionId));
    const had = new Set(existing.map((row) => `${row.name}\u0000${row.language}`));
    const now = new Date();
    const kept =
      templates.length === 0
        ? []
        : await tx
            .insert(waTemplates)
            .values(
              templates.map((template) => ({
                sessionId,
                metaId: template.id ?? null,
                name: template.name,
                language: template.language,
                category: (storable(template.category ?? "") as string).toUpperCase(),
                status: (storable(template.status) as string).toUpperCase(),
                components: storable(template.components) as TStoredTemplateComponent[],
                syncedAt: now,
              })),
            )
            .onConflictDoUpdate({
              target: [waTemplates.sessionId, waTemplates.name, waTemplates.language],
              set: {
                metaId: sql`excluded.meta_id`,
                category: sql`excluded.category`,
                status: sql`excluded.status`,
                components: sql`excluded.components`,
                syncedAt: sql`excluded.synced_at`,
              },
            })
            .returning({ id: waTemplates.id });
    const removed = await tx
      .delete(waTemplates)
      .where(
        and(
          eq(waTemplates.sessionId, sessionId),
          kept.length > 0
            ? notInArray(
                waTemplates.id,
                kept.map((row) => row.id),
              )
            : undefined,
        ),
      )
      .returning({ id: waTemplates.id });
    const added = templates.filter((template) => !had.has(`${template.name}\u0000${template.language}`)).length;
    return { added, updated: templates.length - added, removed: removed.length, total: templates.length, skipped };
  });
}

/**
 * The sessions whose templates the daily job syncs: those with settings stored, of an engine
 * that sends templates (asked of its capabilities, never its kind).
 */
export async function listTemplateSessions(db: TDb): Promise<string[]> {
  const kinds = (await listEngines(db))
    .filter((engine) => engineCan(engine.capabilities, "templates"))
    .map((engine) => engine.kind);
  if (kinds.length === 0) return [];
  const rows = await db
    .select({ id: waSessions.id, kind: waSessions.kind })
    .from(waSessions)
    .where(isNotNull(waSessions.engineSecrets));
  return rows.filter((row) => kinds.includes(row.kind)).map((row) => row.id);
}
