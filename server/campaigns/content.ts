import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { mediaAssets, mediaObjects } from "~/db/schema";
import { buildTemplateContent, getTemplate, type TTemplate } from "~/server/cloud/templates";
import { ZTemplateValues } from "~/server/cloud/template-shape";
import { capabilitiesOfSession, windowAt } from "~/server/conversations/window";
import { mediaContent, storedMediaRef } from "~/server/media/media-content";
import { isMediaKind, textContent, type TMediaKind, type TMessageContent } from "~/server/messages/content";
import { renderWith } from "~/server/rules/templates";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { SKIP_REASONS, type TSkipReason } from "./skip-reasons";

/**
 * What a campaign says, and the ONE function that turns it into a recipient's message
 * (`buildRecipientMessage`): the sending loop (campaigns.ts `sendSome`) and the preview for real
 * contacts both call it, so the preview is exactly what is sent.
 */

export const ZCampaignContent = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("text"),
      /** With variables: {{contact.firstName | there}}, {{field.key}}, {{var.column}} (an imported list's). */
      body: z.string().trim().min(1, "Write the message").max(4_096, "At most 4,096 characters"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("template"),
      name: z.string().trim().min(1, "Choose a template").max(512),
      language: z.string().trim().min(1).max(20),
      /** The template's variables, each of which may hold {{…}} variables of its own, filled per contact. */
      values: ZTemplateValues.default({ header: [], body: [], buttons: {} }),
    })
    .strict(),
  z
    .object({
      kind: z.literal("media"),
      /** A file of the media library (Settings → Media), sent as the library's kind. */
      assetId: z.uuid("Choose a file from the media library"),
      /** The caption, with the same variables as a text. */
      caption: z.string().trim().max(4_096, "At most 4,096 characters").default(""),
    })
    .strict(),
]);
export type TCampaignContent = z.infer<typeof ZCampaignContent>;

/** A recipient as the message is built for them: the contact, their conversation, the list's values. */
export type TRecipientRow = {
  contact_id: string;
  variables: Record<string, string>;
  session_id: string;
  wa_id: string;
  name: string | null;
  relationship: string;
  fields: Record<string, unknown>;
  opted_out: boolean;
  blocked: boolean;
  thread_id: string | null;
  last_in_at: string | Date | null;
};

/** What one sending number can do with the content (looked up once per batch). */
export type TSessionContext = {
  templates: boolean;
  window: boolean;
  template: TTemplate | null;
  /** The media file's kind and reference (null: not a media campaign, or the file is gone). */
  media: { kind: TMediaKind; content: (caption: string) => TMessageContent } | null;
  mediaSends: boolean;
};

/** Each number's context for this content: its engine's capabilities, the template, the library file. */
export async function campaignSessions(
  db: TDbOrTx,
  content: TCampaignContent,
  sessionIds: readonly string[],
): Promise<Map<string, TSessionContext>> {
  let media: TSessionContext["media"] = null;
  if (content.kind === "media") {
    const [asset] = await db
      .select({
        kind: mediaAssets.kind,
        fileName: mediaAssets.fileName,
        sha256: mediaObjects.sha256,
        mimeType: mediaObjects.mimeType,
        size: mediaObjects.size,
        width: mediaObjects.width,
        height: mediaObjects.height,
        thumbSha256: mediaObjects.thumbSha256,
      })
      .from(mediaAssets)
      .innerJoin(mediaObjects, eq(mediaObjects.sha256, mediaAssets.sha256))
      .where(and(eq(mediaAssets.id, content.assetId), isNull(mediaObjects.deletedAt)));
    if (asset && isMediaKind(asset.kind)) {
      const kind = asset.kind;
      const ref = storedMediaRef(asset, asset.fileName);
      media = { kind, content: (caption) => mediaContent(kind, ref, caption) };
    }
  }
  const sessions = new Map<string, TSessionContext>();
  for (const sessionId of new Set(sessionIds)) {
    const capabilities = await capabilitiesOfSession(db, sessionId);
    const template =
      content.kind === "template"
        ? await getTemplate(db, sessionId, content.name, content.language).catch(() => null)
        : null;
    sessions.set(sessionId, {
      templates: engineCan(capabilities, "templates"),
      window: engineCan(capabilities, "serviceWindow"),
      template,
      media,
      mediaSends: media !== null && engineCan(capabilities, `media.${media.kind}`),
    });
  }
  return sessions;
}

export { SKIP_REASONS, type TSkipReason };

/**
 * The message a recipient gets from this content, or why they get none. Pure given the
 * session's context: the send and the preview call it with the same row and get the same answer.
 */
export function buildRecipientMessage(
  content: TCampaignContent,
  session: TSessionContext,
  row: TRecipientRow,
  now: Date,
): { message: TMessageContent } | { skip: TSkipReason } {
  if (row.opted_out) return { skip: "opted_out" };
  if (row.blocked) return { skip: "blocked" };
  const lookup = variableLookup(row);
  try {
    if (content.kind === "template") {
      if (!session.templates || !session.template) return { skip: "template_unavailable" };
      return {
        message: buildTemplateContent(session.template, {
          header: content.values.header.map((value) => renderWith(value, lookup)),
          body: content.values.body.map((value) => renderWith(value, lookup)),
          buttons: Object.fromEntries(
            Object.entries(content.values.buttons).map(([index, value]) => [index, renderWith(value, lookup)]),
          ),
        }),
      };
    }
    if (content.kind === "media" && (!session.media || !session.mediaSends)) return { skip: "media_unavailable" };
    const lastIn = row.last_in_at ? new Date(row.last_in_at) : null;
    if (session.window && !windowAt(lastIn, now).open) return { skip: "window_closed" };
    if (content.kind === "media") return { message: session.media!.content(renderWith(content.caption, lookup)) };
    const body = renderWith(content.body, lookup);
    if (!body) return { skip: "empty" };
    return { message: textContent(body) };
  } catch {
    return { skip: "variables" };
  }
}

/** A recipient's values for {{…}}: the contact's, their custom fields (`field.key`), the list's columns (`var.name`). */
function variableLookup(row: TRecipientRow) {
  return (name: string): string | null => {
    if (name.startsWith("var.")) return row.variables[name.slice(4)] ?? null;
    if (name.startsWith("field.")) {
      const value = row.fields[name.slice(6)];
      return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : null;
    }
    switch (name) {
      case "contact.name":
        return row.name;
      case "contact.firstName":
        return row.name?.trim().split(/\s+/)[0] ?? null;
      case "contact.phone":
        return row.wa_id.includes("@") ? null : row.wa_id;
      case "contact.relationship":
        return row.relationship;
      default:
        return null;
    }
  };
}
