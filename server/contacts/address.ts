import { IDENTITY_KINDS, type TIdentityKind } from "~/db/schema/identities";

export { IDENTITY_KINDS, type TIdentityKind };

/**
 * A contact's WhatsApp identities, and the one rule that turns them into the contact's primary
 * address (`contacts.wa_id`): a phone is `+` and digits (E.164), a LID is its digits and `@lid`
 * (what WhatsApp Web calls that chat), a business-scoped user id `bsuid:…`, a username
 * `username:…`. The migration's trigger function `contact_identity_of_wa_id` reads an address back
 * the same way; keep the two in step.
 */
export type TIdentity = { kind: TIdentityKind; value: string };

/** Where an identity came from: the contact's own address, a message, an engine's report, staff. */
export type TIdentitySource = "contact" | "message" | "engine" | "staff" | "backfill";

const PHONE = /^\+[1-9]\d{6,14}$/;
const LID = /^\d{6,20}$/;
const BSUID = /^[A-Za-z0-9._:-]{1,128}$/;
const USERNAME = /^[a-z0-9._]{1,64}$/;

/** Whether a value is well-formed for its kind (a phone in E.164, a LID's digits…). */
export function isValidIdentity({ kind, value }: TIdentity): boolean {
  switch (kind) {
    case "phone":
      return PHONE.test(value);
    case "lid":
      return LID.test(value);
    case "bsuid":
      return BSUID.test(value);
    case "username":
      return USERNAME.test(value);
  }
}

/** The primary address (`contacts.wa_id`) an identity gives a contact. */
export function addressOf({ kind, value }: TIdentity): string {
  switch (kind) {
    case "phone":
      return value;
    case "lid":
      return `${value}@lid`;
    case "bsuid":
      return `bsuid:${value}`;
    case "username":
      return `username:${value}`;
  }
}

/** The identity a stored primary address stands for (the inverse of addressOf). */
export function identityOfAddress(address: string): TIdentity {
  if (address.endsWith("@lid")) return { kind: "lid", value: address.slice(0, -4) };
  if (address.startsWith("bsuid:")) return { kind: "bsuid", value: address.slice(6) };
  if (address.startsWith("username:")) return { kind: "username", value: address.slice(9) };
  return { kind: "phone", value: address };
}

/**
 * Reads a sender or recipient as WhatsApp gives it: `5511…@c.us`, `…@s.whatsapp.net`, `+5511…`
 * (a phone), `…@lid` (a LID; a device suffix `:12` is dropped), or an address of ours
 * (`bsuid:…`, `username:…`). Null for what is not a person: groups, broadcasts, channels, garbage.
 */
export function parseAddress(raw: string): TIdentity | null {
  const text = raw.trim();
  if (/@(g\.us|broadcast|newsletter)$/.test(text)) return null;
  const lid = /^(\d+)(?::\d+)?@lid$/.exec(text);
  if (lid) {
    const identity: TIdentity = { kind: "lid", value: lid[1]! };
    return isValidIdentity(identity) ? identity : null;
  }
  if (text.startsWith("bsuid:") || text.startsWith("username:")) {
    const identity = identityOfAddress(text);
    return isValidIdentity(identity) ? identity : null;
  }
  const digits = text.replace(/(?::\d+)?@(c\.us|s\.whatsapp\.net)$/, "").replace(/^\+/, "");
  const phone: TIdentity = { kind: "phone", value: `+${digits}` };
  return isValidIdentity(phone) ? phone : null;
}

/** Which of two identities makes the better primary address: a phone, else the first. */
export function preferredIdentity(a: TIdentity, b: TIdentity | null): TIdentity {
  return b && b.kind === "phone" && a.kind !== "phone" ? b : a;
}
