import { z } from "zod";
import type { TStoredTemplateComponent } from "~/db/schema";

/**
 * What a Cloud API template is made of (header, body, footer, buttons and their variables), read
 * from the components Meta returns. No database and no server imports, so the Templates page's
 * live preview fills variables with the very functions the sends use (./templates.ts re-exports them).
 */

/** A template's header: text (with variables) or a file of a kind, given when sending. */
export type TTemplateHeader =
  | { format: "TEXT"; text: string; variables: number }
  | { format: "IMAGE" | "VIDEO" | "DOCUMENT"; text?: undefined; variables: 0 }
  | { format: "LOCATION" | "UNKNOWN"; text?: undefined; variables: 0 };

export type TTemplateButton = {
  /** Its position among the template's buttons: what a send names it by. */
  index: number;
  /** QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP… */
  type: string;
  text: string;
  url?: string;
  /** Variables it takes when sent: a URL's `{{1}}`, a copy-code's code; a quick reply's payload is optional. */
  variables: number;
};

/** What a template is made of, as a person fills it in. */
export type TTemplateShape = {
  header: TTemplateHeader | null;
  body: { text: string; variables: number };
  footer: string | null;
  buttons: TTemplateButton[];
};

/** The variables of a text, in order: positional `{{1}}`, `{{2}}`… (their highest number). */
export function variableCount(text: string | undefined): number {
  let highest = 0;
  for (const match of (text ?? "").matchAll(/\{\{\s*(\d{1,2})\s*\}\}/g)) highest = Math.max(highest, Number(match[1]));
  return highest;
}

/** Fills `{{n}}` with the n-th value (1-based); a missing value leaves the variable as it is. */
export function fillVariables(text: string, values: readonly string[]): string {
  return text.replace(/\{\{\s*(\d{1,2})\s*\}\}/g, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

const str = (value: unknown) => (typeof value === "string" ? value : "");

/** A stored template's parts, from Meta's components (unknown parts are left out). */
export function templateShape(components: readonly TStoredTemplateComponent[]): TTemplateShape {
  const shape: TTemplateShape = { header: null, body: { text: "", variables: 0 }, footer: null, buttons: [] };
  for (const component of components) {
    const type = component.type.toUpperCase();
    if (type === "HEADER") {
      const format = str(component.format).toUpperCase() || "TEXT";
      shape.header =
        format === "TEXT"
          ? { format, text: str(component.text), variables: variableCount(str(component.text)) }
          : format === "IMAGE" || format === "VIDEO" || format === "DOCUMENT" || format === "LOCATION"
            ? { format, variables: 0 }
            : { format: "UNKNOWN", variables: 0 };
    } else if (type === "BODY") {
      shape.body = { text: str(component.text), variables: variableCount(str(component.text)) };
    } else if (type === "FOOTER") {
      shape.footer = str(component.text) || null;
    } else if (type === "BUTTONS" && Array.isArray(component.buttons)) {
      (component.buttons as Record<string, unknown>[]).forEach((button, index) => {
        const kind = str(button.type).toUpperCase();
        const url = str(button.url) || undefined;
        shape.buttons.push({
          index,
          type: kind,
          text: str(button.text),
          ...(url ? { url } : {}),
          variables: kind === "URL" ? variableCount(url) : kind === "COPY_CODE" ? 1 : 0,
        });
      });
    }
  }
  return shape;
}

/** The values a send gives a template's variables (each list in the variables' order). */
export const ZTemplateValues = z
  .strictObject({
    header: z.array(z.string().max(1_024, "At most 1,024 characters")).max(1).default([]),
    body: z.array(z.string().max(1_024, "At most 1,024 characters")).max(20).default([]),
    /** By button index: a URL button's variable part, a copy-code button's code, a quick reply's payload. */
    buttons: z.record(z.string().regex(/^\d$/), z.string().max(1_024, "At most 1,024 characters")).default({}),
  })
  .default({ header: [], body: [], buttons: {} });
export type TTemplateValues = z.infer<typeof ZTemplateValues>;
