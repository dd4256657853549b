import { createHmac, randomBytes } from "node:crypto";

/** Standard Webhooks secrets: `whsec_` and base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/**
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the secret's bytes (the base64 after
 * `whsec_`), per the Standard Webhooks spec.
 */
export function signPayload(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** The headers of one attempt; during a rotation both secrets sign (space-separated). */
export function webhookHeaders(secrets: readonly string[], id: string, timestamp: number, body: string) {
  return {
    "content-type": "application/json",
    "user-agent": "Switchboard-Webhooks/1",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((secret) => signPayload(secret, id, timestamp, body)).join(" "),
  };
}
