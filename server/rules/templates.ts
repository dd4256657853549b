import type { TBusinessInfo } from "~/db/schema/profiles";

/** Variables a reply template may use, with what each means (shown in the editor). */
export const TEMPLATE_VARIABLES = {
  "contact.name": "The contact's name (or WhatsApp display name)",
  "contact.firstName": "The first word of the contact's name",
  "contact.phone": "The contact's number, +E.164",
  "contact.relationship": "family, friend, client, colleague or other",
  "profile.name": "The contact's context profile",
  "business.name": "Business name (from the profile's business facts)",
  "business.hours": "Opening hours as written in the profile",
  "business.services": "Services, comma-separated",
  "business.links": "Links, space-separated",
} as const;
export type TTemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export type TTemplateValues = Partial<Record<TTemplateVariable, string | null>>;

/** The values of every variable, for a contact and the profile that speaks to them. */
export function templateValues(
  contact: { name: string | null; phone: string; relationship: string },
  profile: { name: string; businessInfo: TBusinessInfo } | null | undefined,
): TTemplateValues {
  const business = profile?.businessInfo ?? {};
  return {
    "contact.name": contact.name,
    "contact.firstName": contact.name?.trim().split(/\s+/)[0] ?? null,
    "contact.phone": contact.phone,
    "contact.relationship": contact.relationship,
    "profile.name": profile?.name ?? null,
    "business.name": business.name ?? null,
    "business.hours": business.hours ?? null,
    "business.services": business.services?.join(", ") ?? null,
    "business.links": business.links?.join(" ") ?? null,
  };
}

/** `{{ name }}` or `{{ name | fallback }}`. */
const PLACEHOLDER = /\{\{\s*([^}|]*?)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

/** Every variable a template uses, in order of appearance, once each. */
export function variablesOf(template: string): string[] {
  const names: string[] = [];
  for (const [, name] of template.matchAll(PLACEHOLDER)) if (!names.includes(name!)) names.push(name!);
  return names;
}

/** Fills a template from `lookup` (a flow's variables and fields too); an empty value takes the fallback. */
export function renderWith(template: string, lookup: (name: string) => string | null | undefined): string {
  return template
    .replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const value = lookup(name);
      return value && value.trim() ? value : (fallback ?? "");
    })
    .trim();
}

/** The variables a template uses that do not exist, in order of appearance (empty when valid). */
export function unknownVariables(template: string): string[] {
  const unknown: string[] = [];
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(name! in TEMPLATE_VARIABLES) && !unknown.includes(name!)) unknown.push(name!);
  }
  return unknown;
}

/** Fills a template; an empty value takes the placeholder's fallback, or nothing. */
export function renderTemplate(template: string, values: TTemplateValues): string {
  return template
    .replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const value = values[name as TTemplateVariable];
      return value && value.trim() ? value : (fallback ?? "");
    })
    .trim();
}
