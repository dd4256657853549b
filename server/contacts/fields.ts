import type { TContactFieldType } from "~/db/schema";

/** Placeholder until the contact fields domain lands (helper A replaces this file). */
export function coerceFieldValue(
  field: { type: TContactFieldType; options: string[] },
  raw: unknown,
): { ok: true; value: string | number | boolean | null } | { ok: false; reason: string } {
  if (raw === null || raw === "") return { ok: true, value: null };
  if (typeof raw === "object") return { ok: false, reason: "not a value" };
  const text = typeof raw === "number" || typeof raw === "boolean" ? String(raw) : typeof raw === "string" ? raw : "";
  if (field.type === "number") {
    const value = Number(text.replace(",", "."));
    return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: "not a number" };
  }
  if (field.type === "boolean") return { ok: true, value: ["true", "yes", "1"].includes(text.toLowerCase()) };
  if (field.type === "choice" && !field.options.includes(text)) return { ok: false, reason: "not an option" };
  return { ok: true, value: text };
}
