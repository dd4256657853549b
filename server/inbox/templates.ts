import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import {
  buildTemplateContent,
  getTemplate,
  listTemplates,
  templateShape,
  ZTemplateValues,
} from "~/server/cloud/templates";
import { capabilitiesOfSession } from "~/server/conversations/window";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { mediaContentFor, ZMediaAttachment } from "~/server/media/outbound-content";
import { mediaOf, type TContentOf } from "~/server/messages/content";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { engineOfThread } from "~/server/sessions/engines";

/**
 * Templates as a send names them (the Inbox's template picker, the REST API): which template
 * (name and language), the values of its variables, and a file for a header that is a file.
 * `templateContentFor` turns that into the `template` content, the same for every sender.
 */

/** A stored file (uploaded first) for a template's file header; its kind is the header's. */
export const ZTemplateHeaderFile = ZMediaAttachment.pick({ sha256: true, fileName: true });
export type TTemplateHeaderFile = z.infer<typeof ZTemplateHeaderFile>;

export const ZTemplateChoice = z.object({
  name: z.string().trim().min(1, "Choose a template").max(512, "At most 512 characters"),
  language: z.string().trim().min(1, "Choose the template's language").max(20, "At most 20 characters"),
  values: ZTemplateValues,
});

/**
 * The content of a template message from `sessionId` (BAD_REQUEST when its engine sends no
 * templates): the number's template by name and
 * language (NOT_FOUND naming it), built with its values (`buildTemplateContent` refuses an
 * unapproved template, a missing variable, a wrong header file); a header file must be a stored
 * file that fits the header's kind and that the engine sends (`mediaContentFor`).
 */
export async function templateContentFor(
  db: TDbOrTx,
  sessionId: string,
  choice: z.input<typeof ZTemplateChoice>,
  headerFile?: TTemplateHeaderFile,
): Promise<TContentOf<"template">> {
  const { name, language, values } = ZTemplateChoice.parse(choice);
  if (!engineCan(await capabilitiesOfSession(db, sessionId), "templates"))
    throw new AppError("BAD_REQUEST", "This number's engine cannot send templates.");
  const template = await getTemplate(db, sessionId, name, language);
  const header = templateShape(template.components).header;
  let headerMedia;
  if (headerFile) {
    const kind =
      header?.format === "IMAGE"
        ? "image"
        : header?.format === "VIDEO"
          ? "video"
          : header?.format === "DOCUMENT"
            ? "document"
            : null;
    if (!kind) throw new AppError("BAD_REQUEST", serverText("serviceWindow.headerNotFile", { name }));
    headerMedia = mediaOf(await mediaContentFor(db, { ...headerFile, kind, sessionId }));
  }
  return buildTemplateContent(template, values, headerMedia);
}

/**
 * The approved templates a thread's number can send, with their shape (parts and variables) for
 * the picker; none when its engine cannot send templates.
 */
export async function listThreadTemplates(db: TDbOrTx, threadId: string) {
  const row = await engineOfThread(db, threadId);
  if (!row) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  if (!engineCan(row.capabilities, "templates")) return [];
  const templates = await listTemplates(db, row.sessionId, { approvedOnly: true });
  return templates.map((template) => ({
    id: template.id,
    name: template.name,
    language: template.language,
    category: template.category,
    shape: template.shape,
  }));
}
