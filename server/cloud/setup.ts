import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { waSessions } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { engineCan, type TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { getEngine } from "~/server/sessions/engines";
import {
  GRAPH_DEFAULT_VERSION,
  openCloudSecrets,
  sealCloudSecrets,
  ZCloudConfig,
  ZCloudSecrets,
  type TCloudConfig,
  type TCloudSecrets,
} from "./config";
import { GraphApiError, graphRequest, GraphUnreachableError } from "./graph";

/**
 * Setting a number up on an engine whose messages arrive by webhook (the Cloud API): its
 * settings (`engine_config`) and secrets (`engine_secrets`, sealed by ./config.ts) are written
 * only here, read back without the secrets (the page sees "set" and the token's last four
 * characters), and checked with one real Graph call before or after saving. The engine is
 * chosen by what it can do (`webhookInbound`), never by its kind.
 */

/** Where the web reaches Meta (CLOUD_API_BASE_URL) and the secret that seals the settings. */
export type TCloudSetupEnv = { appSecret: string; baseUrl?: string };

/** A fresh verify token for Meta's webhook subscription: 24 random bytes as 32 URL-safe characters. */
export function generateVerifyToken(): string {
  return randomBytes(24).toString("base64url");
}

/** The path Meta posts a number's webhooks to (the web's route); the page puts the public origin before it. */
export function cloudWebhookPath(sessionId: string): string {
  return `/api/whatsapp/cloud/${sessionId}`;
}

// A blank field in the edit form keeps what is stored: "" and whitespace read as absent.
const blankAsAbsent = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

export const ZCloudSetupInput = z.object({
  name: z.string().trim().min(1, "Name the number").max(80),
  /** The engine's kind, as the add form offers it (one with `webhookInbound`). */
  engine: z.string().trim().min(1).max(40),
  phoneNumberId: ZCloudConfig.shape.phoneNumberId,
  businessAccountId: ZCloudConfig.shape.businessAccountId,
  graphVersion: blankAsAbsent(ZCloudConfig.shape.graphVersion.removeDefault()),
  accessToken: ZCloudSecrets.shape.accessToken,
  appSecret: ZCloudSecrets.shape.appSecret,
  verifyToken: ZCloudSecrets.shape.verifyToken,
});
export type TCloudSetupInput = z.input<typeof ZCloudSetupInput>;

export const ZCloudUpdateInput = z.object({
  id: z.uuid(),
  name: blankAsAbsent(z.string().trim().min(1, "Name the number").max(80)),
  phoneNumberId: blankAsAbsent(ZCloudConfig.shape.phoneNumberId),
  businessAccountId: blankAsAbsent(ZCloudConfig.shape.businessAccountId),
  graphVersion: blankAsAbsent(ZCloudConfig.shape.graphVersion.removeDefault()),
  accessToken: blankAsAbsent(ZCloudSecrets.shape.accessToken),
  appSecret: blankAsAbsent(ZCloudSecrets.shape.appSecret),
  verifyToken: blankAsAbsent(ZCloudSecrets.shape.verifyToken),
});
export type TCloudUpdateInput = z.input<typeof ZCloudUpdateInput>;

/** The engine a webhook-inbound session may be made of or edited on, or BAD_REQUEST saying why not. */
function requireWebhookEngine(engine: TEngineDescriptor | null): TEngineDescriptor {
  if (!engine?.addable)
    throw new AppError("BAD_REQUEST", "No worker offers this engine.", { engine: "No worker offers this engine." });
  if (!engineCan(engine.capabilities, "webhookInbound"))
    throw new AppError("BAD_REQUEST", serverText("cloudSetup.noSettings", { engine: engine.label }));
  return engine;
}

/** What the audit log keeps of the settings: never a secret, only which were set. */
function auditView(name: string, config: TCloudConfig, changedSecrets: readonly (keyof TCloudSecrets)[]) {
  return { name, ...config, secretsSet: [...changedSecrets] };
}

/**
 * A new number of a webhook-inbound engine with Meta's settings: config stored as it is, the
 * three secrets sealed under APP_SECRET; a worker running the engine picks it up and checks the token.
 */
export async function createCloudSession(db: TDb, actor: TActor, env: TCloudSetupEnv, raw: TCloudSetupInput) {
  const input = ZCloudSetupInput.parse(raw);
  requireWebhookEngine(await getEngine(db, input.engine));
  const config = ZCloudConfig.parse({
    phoneNumberId: input.phoneNumberId,
    businessAccountId: input.businessAccountId,
    graphVersion: input.graphVersion ?? GRAPH_DEFAULT_VERSION,
  });
  const secrets: TCloudSecrets = {
    accessToken: input.accessToken,
    appSecret: input.appSecret,
    verifyToken: input.verifyToken,
  };
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(waSessions)
      .values({
        name: input.name,
        kind: input.engine,
        status: "new",
        engineConfig: config,
        engineSecrets: sealCloudSecrets(secrets, env.appSecret),
      })
      .returning({ id: waSessions.id, name: waSessions.name, kind: waSessions.kind });
    await recordAudit(tx, actor, {
      action: "create",
      entity: "session",
      entityId: created!.id,
      after: { kind: input.engine, ...auditView(input.name, config, ["accessToken", "appSecret", "verifyToken"]) },
    });
    return created!;
  });
}

/**
 * Changes a number's settings: any field given replaces the stored one, a blank secret keeps
 * the stored one. The worker running it is asked to restart (as Restart does), so a new token
 * applies within seconds.
 */
export async function updateCloudSession(db: TDb, actor: TActor, env: TCloudSetupEnv, raw: TCloudUpdateInput) {
  const input = ZCloudUpdateInput.parse(raw);
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(waSessions).where(eq(waSessions.id, input.id)).for("update");
    if (!row) throw new AppError("NOT_FOUND", "No such session.");
    requireWebhookEngine(await getEngine(tx, row.kind));
    const stored = ZCloudConfig.partial().safeParse(row.engineConfig);
    const config = ZCloudConfig.parse({
      phoneNumberId: input.phoneNumberId ?? (stored.success ? stored.data.phoneNumberId : undefined),
      businessAccountId: input.businessAccountId ?? (stored.success ? stored.data.businessAccountId : undefined),
      graphVersion: input.graphVersion ?? (stored.success ? stored.data.graphVersion : undefined),
    });
    const before = storedSecrets(row.engineSecrets, env.appSecret);
    const given = { accessToken: input.accessToken, appSecret: input.appSecret, verifyToken: input.verifyToken };
    const missing = (Object.keys(given) as (keyof TCloudSecrets)[]).filter((key) => !given[key] && !before?.[key]);
    if (missing.length > 0)
      throw new AppError(
        "BAD_REQUEST",
        serverText("cloudSetup.secretsMissing"),
        Object.fromEntries(missing.map((key) => [key, serverText("cloudSetup.secretMissingField")])),
      );
    const secrets = ZCloudSecrets.parse({
      accessToken: given.accessToken ?? before?.accessToken,
      appSecret: given.appSecret ?? before?.appSecret,
      verifyToken: given.verifyToken ?? before?.verifyToken,
    });
    const changed = (Object.keys(given) as (keyof TCloudSecrets)[]).filter((key) => given[key] !== undefined);
    const name = input.name ?? row.name;
    await tx
      .update(waSessions)
      .set({
        name,
        engineConfig: config,
        engineSecrets: sealCloudSecrets(secrets, env.appSecret),
        restartRequestedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(waSessions.id, input.id));
    const beforeConfig = stored.success ? stored.data : {};
    await recordAudit(tx, actor, {
      action: "update",
      entity: "session",
      entityId: input.id,
      before: { name: row.name, ...beforeConfig },
      after: auditView(name, config, changed),
    });
    return { id: input.id, name };
  });
}

/** The stored secrets, or null when none are stored or they cannot be opened (another APP_SECRET). */
function storedSecrets(blob: Buffer | null, appSecret: string): TCloudSecrets | null {
  if (!blob) return null;
  try {
    return openCloudSecrets(blob, appSecret);
  } catch {
    return null;
  }
}

/**
 * What the session's page shows of its settings: the ids and version, where Meta must send
 * webhooks, the verify token to paste there (the page hides it until asked), and of the other
 * secrets only whether they are set and the token's last four characters.
 */
export async function getCloudSettings(db: TDbOrTx, env: TCloudSetupEnv, sessionId: string) {
  const [row] = await db
    .select({ kind: waSessions.kind, config: waSessions.engineConfig, secrets: waSessions.engineSecrets })
    .from(waSessions)
    .where(eq(waSessions.id, sessionId));
  if (!row) throw new AppError("NOT_FOUND", "No such session.");
  const engine = await getEngine(db, row.kind);
  if (!engineCan(engine?.capabilities, "webhookInbound"))
    throw new AppError("BAD_REQUEST", serverText("cloudSetup.noSettings", { engine: engine?.label ?? row.kind }));
  const config = ZCloudConfig.partial().safeParse(row.config);
  const secrets = storedSecrets(row.secrets, env.appSecret);
  return {
    phoneNumberId: (config.success ? config.data.phoneNumberId : undefined) ?? null,
    businessAccountId: (config.success ? config.data.businessAccountId : undefined) ?? null,
    graphVersion: (config.success ? config.data.graphVersion : undefined) ?? GRAPH_DEFAULT_VERSION,
    webhookPath: cloudWebhookPath(sessionId),
    /** Meta's app must be subscribed to these webhook fields. */
    webhookFields: ["messages"],
    verifyToken: secrets?.verifyToken ?? null,
    accessTokenEnd: secrets ? secrets.accessToken.slice(-4) : null,
    appSecretSet: Boolean(secrets?.appSecret),
    /** Secrets are stored but cannot be opened: they were sealed under another APP_SECRET. */
    secretsUnreadable: Boolean(row.secrets) && !secrets,
  };
}

export const ZCheckCloudTokenInput = z.object({
  /** A saved number: its stored settings fill whatever is not typed. */
  id: z.uuid().optional(),
  phoneNumberId: blankAsAbsent(ZCloudConfig.shape.phoneNumberId),
  graphVersion: blankAsAbsent(ZCloudConfig.shape.graphVersion.removeDefault()),
  accessToken: blankAsAbsent(ZCloudSecrets.shape.accessToken),
});
export type TCheckCloudTokenInput = z.input<typeof ZCheckCloudTokenInput>;

/** What Meta says of the number when the token works. */
export type TCloudTokenCheck = { phone: string; name: string; qualityRating: string | null };

/** The reason of an unreachable Meta (ECONNREFUSED, timed out…), without the English around it. */
export function unreachableReason(error: GraphUnreachableError): string {
  return /\(([^)]*)\)$/.exec(error.message)?.[1] ?? error.message;
}

/** Meta's answers that mean the Graph API version in the path is refused (unknown or retired). */
const VERSION_CODES = new Set([12, 2500, 2635]);

/** Why a check failed, in words for the person who typed the settings (catalogue keys, their language). */
export function describeCheckFailure(error: unknown, phoneNumberId: string, version: string): AppError {
  if (error instanceof GraphUnreachableError)
    return new AppError("BAD_REQUEST", serverText("cloudSetup.unreachable", { reason: unreachableReason(error) }));
  if (!(error instanceof GraphApiError)) throw error;
  const meta = { title: error.title, code: error.code ?? error.httpStatus };
  if (error.code === 190)
    return new AppError("BAD_REQUEST", serverText("cloudSetup.tokenInvalid", meta), {
      accessToken: serverText("cloudSetup.tokenInvalidField"),
    });
  if (error.code === 10 || error.code === 200 || (error.code !== null && error.code >= 200 && error.code <= 299))
    return new AppError("BAD_REQUEST", serverText("cloudSetup.noPermission", meta));
  if (error.code === 100 && (error.subcode === 33 || error.subcode === null))
    return new AppError("BAD_REQUEST", serverText("cloudSetup.unknownNumber", { ...meta, id: phoneNumberId }), {
      phoneNumberId: serverText("cloudSetup.unknownNumberField"),
    });
  if ((error.code !== null && VERSION_CODES.has(error.code)) || /\bversion\b/i.test(error.title))
    return new AppError("BAD_REQUEST", serverText("cloudSetup.versionRefused", { ...meta, version }), {
      graphVersion: serverText("cloudSetup.versionRefusedField"),
    });
  return new AppError("BAD_REQUEST", serverText("cloudSetup.metaRefused", meta));
}

/**
 * Checks a token with one real Graph call: GET /<phone-number-id>?fields=display_phone_number,
 * verified_name,quality_rating. With a session id, the stored settings fill what is not typed,
 * so a person can check before saving, and after. Throws BAD_REQUEST saying exactly what is
 * wrong (the token, its permissions, the number id, the version, Meta unreachable).
 */
export async function checkCloudToken(
  db: TDbOrTx,
  env: TCloudSetupEnv,
  raw: TCheckCloudTokenInput,
  signal?: AbortSignal,
): Promise<TCloudTokenCheck> {
  const input = ZCheckCloudTokenInput.parse(raw);
  let stored: { config: Partial<TCloudConfig>; secrets: TCloudSecrets | null } = { config: {}, secrets: null };
  if (input.id) {
    const [row] = await db
      .select({ config: waSessions.engineConfig, secrets: waSessions.engineSecrets })
      .from(waSessions)
      .where(eq(waSessions.id, input.id));
    if (!row) throw new AppError("NOT_FOUND", "No such session.");
    const config = ZCloudConfig.partial().safeParse(row.config);
    stored = { config: config.success ? config.data : {}, secrets: storedSecrets(row.secrets, env.appSecret) };
  }
  const phoneNumberId = input.phoneNumberId ?? stored.config.phoneNumberId;
  const accessToken = input.accessToken ?? stored.secrets?.accessToken;
  const version = input.graphVersion ?? stored.config.graphVersion ?? GRAPH_DEFAULT_VERSION;
  if (!phoneNumberId || !accessToken)
    throw new AppError("BAD_REQUEST", serverText("cloudSetup.checkNeeds"), {
      ...(phoneNumberId ? {} : { phoneNumberId: serverText("cloudSetup.checkNeedsField") }),
      ...(accessToken ? {} : { accessToken: serverText("cloudSetup.checkNeedsField") }),
    });
  try {
    const answer = await graphRequest<Record<string, unknown>>(
      { baseUrl: env.baseUrl, version, accessToken, timeoutMs: 15_000 },
      "GET",
      `/${phoneNumberId}?fields=display_phone_number,verified_name,quality_rating`,
      undefined,
      signal,
    );
    const text = (value: unknown) => (typeof value === "string" ? value.trim().slice(0, 200) : "");
    return {
      phone: text(answer.display_phone_number),
      name: text(answer.verified_name),
      qualityRating: text(answer.quality_rating) || null,
    };
  } catch (error) {
    throw describeCheckFailure(error, phoneNumberId, version);
  }
}
