import { eq } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { waSessions } from "~/db/schema";
import { decryptSecret, encryptSecret } from "~/server/lib/secrets";

/**
 * A Cloud API number's settings: what is not secret in `wa_sessions.engine_config`, the secrets
 * (access token, app secret, verify token) encrypted under APP_SECRET in `engine_secrets`. The
 * one place that reads and writes them: the web (setup, the webhook route) and the worker (the
 * engine) both come here.
 */

/** The Graph API version a new number uses (Meta supports each version about two years). */
export const GRAPH_DEFAULT_VERSION = "v26.0";

/** Where the Graph API is; tests point CLOUD_API_BASE_URL at a fake server on loopback. */
export const GRAPH_DEFAULT_BASE_URL = "https://graph.facebook.com";

export const ZCloudConfig = z.strictObject({
  /** The number's id in Meta's app ("Phone number ID" under WhatsApp → API Setup): digits. */
  phoneNumberId: z
    .string()
    .trim()
    .regex(/^\d{5,30}$/, "The phone number ID is the digits Meta shows under WhatsApp → API Setup"),
  /** The WhatsApp Business Account id (its templates are read from it): digits. */
  businessAccountId: z
    .string()
    .trim()
    .regex(/^\d{5,30}$/, "The WhatsApp Business Account ID is the digits Meta shows under WhatsApp → API Setup"),
  graphVersion: z
    .string()
    .trim()
    .regex(/^v\d{1,3}\.\d$/, "A Graph API version looks like v26.0")
    .default(GRAPH_DEFAULT_VERSION),
});
export type TCloudConfig = z.infer<typeof ZCloudConfig>;

export const ZCloudSecrets = z.strictObject({
  /** A system user's permanent token (or a temporary one while trying it). */
  accessToken: z.string().trim().min(20, "Paste the access token (a long string starting with EAA)").max(4_096),
  /** The Meta app's secret: signs every webhook Meta sends (X-Hub-Signature-256). */
  appSecret: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{16,128}$/i, "The app secret is the hexadecimal string under App settings → Basic"),
  /** What Meta sends back when subscribing the webhook (`hub.verify_token`): chosen here. */
  verifyToken: z
    .string()
    .trim()
    .min(8, "At least 8 characters")
    .max(200, "At most 200 characters")
    .regex(/^[\x21-\x7e]+$/, "Letters, digits and punctuation, no spaces"),
});
export type TCloudSecrets = z.infer<typeof ZCloudSecrets>;

export type TCloudSession = { sessionId: string; kind: string; config: TCloudConfig; secrets: TCloudSecrets };

/** Why a session's Cloud API settings cannot be used, in words for its status. */
export class CloudConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CloudConfigError";
  }
}

export function sealCloudSecrets(secrets: TCloudSecrets, appSecret: string): Buffer {
  return encryptSecret(JSON.stringify(ZCloudSecrets.parse(secrets)), appSecret, "wa-engine-secrets");
}

export function openCloudSecrets(blob: Buffer, appSecret: string): TCloudSecrets {
  return ZCloudSecrets.parse(JSON.parse(decryptSecret(blob, appSecret, "wa-engine-secrets").toString("utf8")));
}

/**
 * A session's Cloud API settings and secrets, or null when the session does not exist. Throws
 * CloudConfigError when they are missing or unreadable (not set up yet, another APP_SECRET).
 */
export async function readCloudSession(
  db: TDbOrTx,
  sessionId: string,
  appSecret: string,
): Promise<TCloudSession | null> {
  const [row] = await db
    .select({ kind: waSessions.kind, config: waSessions.engineConfig, secrets: waSessions.engineSecrets })
    .from(waSessions)
    .where(eq(waSessions.id, sessionId));
  if (!row) return null;
  const config = ZCloudConfig.safeParse(row.config);
  if (!config.success) throw new CloudConfigError("The Cloud API settings of this number are not complete.");
  if (!row.secrets) throw new CloudConfigError("The access token and app secret of this number are not set.");
  let secrets: TCloudSecrets;
  try {
    secrets = openCloudSecrets(row.secrets, appSecret);
  } catch {
    throw new CloudConfigError("The stored secrets cannot be read: they were saved under another APP_SECRET.");
  }
  return { sessionId, kind: row.kind, config: config.data, secrets };
}

/**
 * A session's Cloud API settings alone (no secrets: what reading a webhook's notification needs),
 * with its kind; null when the session does not exist or its settings are not complete.
 */
export async function readCloudConfig(
  db: TDbOrTx,
  sessionId: string,
): Promise<{ kind: string; config: TCloudConfig } | null> {
  const [row] = await db
    .select({ kind: waSessions.kind, config: waSessions.engineConfig })
    .from(waSessions)
    .where(eq(waSessions.id, sessionId));
  const config = ZCloudConfig.safeParse(row?.config);
  return row && config.success ? { kind: row.kind, config: config.data } : null;
}
