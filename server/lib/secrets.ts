import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Secrets at rest (webhook signing secrets, WhatsApp session archives, TOTP secrets, engines' tokens): AES-256-GCM under a key
 * derived from APP_SECRET with HKDF-SHA256, one key per purpose. Stored as
 * `version (1) | iv (12) | tag (16) | ciphertext`; a tampered or foreign blob fails to decrypt
 * (GCM's tag), never decrypts to garbage.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type TSecretPurpose =
  "webhook-secret" | "wa-session-auth" | "totp-secret" | "wa-engine-secrets" | "wa-engine-keys" | "org-secrets";

const keys = new Map<string, Buffer>();
function keyFor(appSecret: string, purpose: TSecretPurpose): Buffer {
  const cacheKey = `${purpose}\u0000${appSecret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", appSecret, "switchboard", purpose, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

export function encryptSecret(plain: Buffer | string, appSecret: string, purpose: TSecretPurpose): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(appSecret, purpose), iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptionError";
  }
}

export function decryptSecret(blob: Buffer, appSecret: string, purpose: TSecretPurpose): Buffer {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== VERSION) {
    throw new SecretDecryptionError("not an encrypted secret of a known version");
  }
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", keyFor(appSecret, purpose), iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SecretDecryptionError("the secret was tampered with or encrypted under another APP_SECRET");
  }
}
