import { and, asc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { waTemplates } from "~/db/schema";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import type { TContentOf, TMediaRef, TTemplateComponent } from "~/server/messages/content";
import { fillVariables, templateShape, ZTemplateValues } from "./template-shape";

/**
 * Message templates of Cloud API numbers: what they look like (their parts and variables, read
 * from the components Meta returns), and the one function that turns a template plus the values
 * of its variables into the content that is stored and sent (`buildTemplateContent`), used by the
 * Inbox, the rules and the REST API alike. Syncing them from Meta is `./template-sync.ts`.
 */

export type TTemplate = typeof waTemplates.$inferSelect;

export {
  fillVariables,
  templateShape,
  variableCount,
  type TTemplateButton,
  type TTemplateHeader,
  type TTemplateShape,
  type TTemplateValues,
  ZTemplateValues,
} from "./template-shape";

/**
 * The content of a template message: every part's text as the contact reads it (variables
 * filled in), the values that fill them, the header's file (a stored media reference, for
 * templates whose header is an image, video or document). Refuses (BAD_REQUEST, naming what is
 * missing) a template that is not approved, a variable without its value, or a header file
 * that is missing or of the wrong kind.
 */
export function buildTemplateContent(
  template: Pick<TTemplate, "name" | "language" | "status" | "components">,
  given: z.input<typeof ZTemplateValues>,
  headerMedia?: TMediaRef,
): TContentOf<"template"> {
  if (template.status.toUpperCase() !== "APPROVED")
    throw new AppError(
      "BAD_REQUEST",
      serverText("cloudTemplates.notApproved", {
        name: template.name,
        language: template.language,
        status: template.status.toLowerCase(),
      }),
    );
  const values = ZTemplateValues.parse(given);
  const shape = templateShape(template.components);
  const missing = (part: "header" | "text", count: number, have: readonly string[]) => {
    const empty = Array.from({ length: count }, (_, index) => index).find((index) => !have[index]?.trim());
    if (empty !== undefined)
      throw new AppError(
        "BAD_REQUEST",
        serverText(part === "header" ? "cloudTemplates.fillHeaderVariable" : "cloudTemplates.fillBodyVariable", {
          variable: `{{${empty + 1}}}`,
          name: template.name,
        }),
      );
  };
  const components: TTemplateComponent[] = [];
  if (shape.header) {
    if (shape.header.format === "TEXT") {
      missing("header", shape.header.variables, values.header);
      components.push({
        type: "header",
        text: fillVariables(shape.header.text, values.header),
        ...(shape.header.variables > 0 ? { params: values.header.slice(0, shape.header.variables) } : {}),
      });
    } else if (shape.header.format !== "LOCATION" && shape.header.format !== "UNKNOWN") {
      const wanted = shape.header.format.toLowerCase();
      if (!headerMedia)
        throw new AppError(
          "BAD_REQUEST",
          serverText("cloudTemplates.headerFile", { name: template.name, kind: wanted }),
        );
      const fits =
        wanted === "document" ||
        (wanted === "image" && headerMedia.mimeType.startsWith("image/")) ||
        (wanted === "video" && headerMedia.mimeType.startsWith("video/"));
      if (!fits)
        throw new AppError(
          "BAD_REQUEST",
          serverText("cloudTemplates.headerFileKind", {
            name: template.name,
            kind: wanted,
            type: headerMedia.mimeType,
          }),
        );
      components.push({ type: "header", media: headerMedia });
    }
  }
  missing("text", shape.body.variables, values.body);
  components.push({
    type: "body",
    text: fillVariables(shape.body.text, values.body),
    ...(shape.body.variables > 0 ? { params: values.body.slice(0, shape.body.variables) } : {}),
  });
  if (shape.footer) components.push({ type: "footer", text: shape.footer });
  for (const button of shape.buttons) {
    const value = values.buttons[String(button.index)];
    if (button.variables > 0 && !value?.trim())
      throw new AppError(
        "BAD_REQUEST",
        serverText("cloudTemplates.fillButton", { button: button.text, name: template.name }),
      );
    const subType =
      button.type === "URL"
        ? "url"
        : button.type === "COPY_CODE"
          ? "copy_code"
          : button.type === "QUICK_REPLY"
            ? "quick_reply"
            : null;
    if (!subType) continue;
    components.push({
      type: "button",
      index: button.index,
      subType,
      text: button.type === "URL" && button.url ? fillVariables(button.url, value ? [value] : []) : button.text,
      ...(value?.trim() ? { params: [value] } : {}),
    });
  }
  return { kind: "template", name: template.name, language: template.language, components };
}

/** A number's templates (approved ones only, when asked), by name and language. */
export async function listTemplates(db: TDbOrTx, sessionId: string, options: { approvedOnly?: boolean } = {}) {
  const rows = await db
    .select()
    .from(waTemplates)
    .where(
      and(eq(waTemplates.sessionId, sessionId), options.approvedOnly ? eq(waTemplates.status, "APPROVED") : undefined),
    )
    .orderBy(asc(waTemplates.name), asc(waTemplates.language));
  return rows.map((row) => ({ ...row, shape: templateShape(row.components) }));
}

/** One template of a number by name and language, or NOT_FOUND naming it. */
export async function getTemplate(db: TDbOrTx, sessionId: string, name: string, language: string): Promise<TTemplate> {
  const [row] = await db
    .select()
    .from(waTemplates)
    .where(and(eq(waTemplates.sessionId, sessionId), eq(waTemplates.name, name), eq(waTemplates.language, language)));
  if (!row) throw new AppError("NOT_FOUND", serverText("cloudTemplates.noSuchTemplate", { name, language }));
  return row;
}
