import { createTranslator } from "use-intl/core";
import { z } from "zod";
import type { TRole } from "~/server/auth/roles";
import { humaniseName } from "~/server/lib/storable-text";
import { domainText, type TServerText } from "./domain";
import { FORMATS } from "./formats";
import type { TLocale } from "./locales";
import { MESSAGES } from "./messages";

/**
 * The server's own words to a person (validation, refusals), in their language: the `errors`
 * namespace of the catalogue, for server code with no React around it (the tRPC error formatter).
 */
export function errorTranslator(locale: TLocale) {
  const t = createTranslator({ locale, messages: MESSAGES[locale], namespace: "errors", formats: FORMATS });
  // A schema's own message ("Enter a name"), in this language when the catalogue has it.
  return Object.assign(t, { own: (message: string | TServerText) => domainText(locale, message) });
}
export type TErrorTranslator = ReturnType<typeof errorTranslator>;

type TPath = readonly PropertyKey[];

const isIndex = (part: PropertyKey): part is number | string =>
  typeof part === "number" || (typeof part === "string" && /^\d+$/.test(part));
const hasKey = <T extends object>(table: T, key: PropertyKey | undefined): key is keyof T & string =>
  typeof key === "string" && Object.hasOwn(table, key);

/**
 * A field as the form shows it, in the reader's language: the label of the last named part of
 * its path (`contact.name` → "Name", `tags.3` → "Tags"), an opening hour by its day and place
 * (`businessHours.mon.0.start` → "Monday, opening 1, start"), else that part in words. Never the
 * dotted path.
 */
export function localFieldLabel(t: TErrorTranslator, path: TPath): string {
  const parts = [...path];
  const hours = parts.indexOf("businessHours");
  if (hours >= 0) {
    const [day, index, part] = parts.slice(hours + 1);
    if (hasKey(MESSAGES.en.errors.weekdays, day)) {
      const dayName = t(`weekdays.${day}`);
      if (index === undefined || !isIndex(index)) return dayName;
      const slot = t("fieldPath.opening", { day: dayName, number: Number(index) + 1 });
      return part === "start" || part === "end" ? t("fieldPath.openingPart", { slot, part }) : slot;
    }
  }
  const name = parts.reverse().find((part): part is string => typeof part === "string" && !isIndex(part));
  if (!name) return t("fields.input");
  if (hasKey(MESSAGES.en.errors.fields, name)) return t(`fields.${name}`);
  return humaniseName(name);
}

/**
 * A schema's own message: a custom issue built from values carries its catalogue key in
 * `params.text` (`serverText`), its `message` being the English; others are English text.
 */
function ownText(issue: z.core.$ZodIssue): string | TServerText {
  const text = issue.code === "custom" ? (issue.params as { text?: TServerText } | undefined)?.text : undefined;
  return text ?? issue.message;
}

const ZOD_SIZED = new Set(["string", "array", "set", "file"]);

/**
 * Whether zod wrote the message itself (its English default) rather than the schema: zod keeps
 * no flag, so its default is rebuilt and compared; an invalid type's default names what it
 * received, which the issue no longer carries.
 */
function isZodDefault(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "invalid_type") return /^Invalid input: expected \S+, received \S+$/.test(issue.message);
  const rebuilt = z.locales.en().localeError?.(issue as never);
  const text = typeof rebuilt === "string" ? rebuilt : rebuilt?.message;
  return text === issue.message;
}

/**
 * One zod issue in plain words, naming the field: "Password must be at least 8 characters
 * long.". A message the schema wrote itself ("Enter a name") is kept as it is.
 */
export function describeIssue(t: TErrorTranslator, issue: z.core.$ZodIssue): string {
  if (!isZodDefault(issue)) return t.own(ownText(issue));
  const field = localFieldLabel(t, issue.path);
  switch (issue.code) {
    case "invalid_type":
      return / received undefined$/.test(issue.message)
        ? t("validation.required", { field })
        : t("validation.invalidType", { field });
    case "too_small":
    case "too_big": {
      const limit = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
      const kind = ZOD_SIZED.has(issue.origin)
        ? issue.origin === "string"
          ? "string"
          : "array"
        : issue.origin === "date"
          ? "date"
          : "number";
      if (issue.exact && kind !== "number" && kind !== "date")
        return t(`validation.exact.${kind}`, { field, count: limit });
      if (kind === "date") return t(`validation.${issue.code === "too_small" ? "tooEarly" : "tooLate"}`, { field });
      if (kind === "number") {
        const strict = !issue.inclusive;
        const key = issue.code === "too_small" ? (strict ? "greaterThan" : "atLeast") : strict ? "lessThan" : "atMost";
        return t(`validation.number.${key}`, { field, limit });
      }
      // A strict bound on a length is the next whole count ("more than 0 characters": at least 1).
      const count = issue.inclusive === false ? limit + (issue.code === "too_small" ? 1 : -1) : limit;
      return t(`validation.${issue.code === "too_small" ? "tooShort" : "tooLong"}.${kind}`, { field, count });
    }
    case "invalid_format":
      if (issue.format === "email") return t("validation.format.email", { field });
      if (issue.format === "url") return t("validation.format.url", { field });
      if (issue.format === "uuid") return t("validation.format.uuid", { field });
      return t("validation.format.other", { field });
    case "invalid_value":
      return t("validation.invalidOption", { field });
    case "not_multiple_of":
      return t("validation.notMultipleOf", { field, divisor: Number(issue.divisor) });
    case "unrecognized_keys":
      return t("validation.unrecognizedKeys", { field, count: issue.keys.length, keys: issue.keys.join(", ") });
    default:
      return t("validation.invalid", { field });
  }
}

/** The whole refusal, every issue in one line: "Please check: Name cannot be empty; …". */
export function describeIssues(t: TErrorTranslator, issues: readonly z.core.$ZodIssue[]): string {
  return t("validation.summary", {
    issues: issues
      .map((issue) =>
        isZodDefault(issue) || !issue.path.length
          ? describeIssue(t, issue)
          : `${localFieldLabel(t, issue.path)}: ${t.own(ownText(issue))}`,
      )
      .join("; "),
  });
}

/** The refusal of a role-guarded procedure: "Your role (Agent) cannot change users.". */
export function describeRoleRefusal(
  t: TErrorTranslator,
  role: TRole,
  resource: keyof (typeof MESSAGES)["en"]["errors"]["resources"],
  level: "read" | "write",
): string {
  return t("access.role", { role: t(`roles.${role}`), level, resource: t(`resources.${resource}`) });
}
