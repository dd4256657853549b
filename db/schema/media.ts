import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";
import { users } from "./users";

/** What a stored file really is, by its content (server/media/sniff.ts): what decides how it may be shown. */
export const MEDIA_CATEGORIES = ["image", "audio", "video", "document"] as const;
export type TMediaCategory = (typeof MEDIA_CATEGORIES)[number];

/**
 * Every file in the media store, once per content (content-addressed by SHA-256: the same
 * photo sent twice is stored once). The bytes live in the store (server/media/store.ts), this
 * row says what they are. `last_used_at` moves each time a message or the library refers to
 * the file again; retention removes files not used for its days (`deleted_at` and the reason
 * stay, so a message can say why its file is gone).
 */
export const mediaObjects = pgTable(
  "media_objects",
  {
    /** SHA-256 of the bytes, 64 lower-case hex digits: the store's key. */
    sha256: text().primaryKey(),
    size: bigint({ mode: "number" }).notNull(),
    /** The real type, found from the content (never the name or the claimed type). */
    mimeType: text().notNull(),
    category: text().$type<TMediaCategory>().notNull(),
    width: integer(),
    height: integer(),
    /** The server-made thumbnail of an image (a small WebP, itself in the store). */
    thumbSha256: text(),
    createdAt: timestamptz().notNull().defaultNow(),
    lastUsedAt: timestamptz().notNull().defaultNow(),
    deletedAt: timestamptz(),
    deletedReason: text(),
  },
  (t) => [
    index("media_objects_last_used_idx")
      .on(t.lastUsedAt)
      .where(sql`${t.deletedAt} is null`),
  ],
);

/**
 * The media library (Settings → Media): files staff keep to send again, such as a menu or a
 * price list a rule's reply carries. Library files are never removed by retention.
 */
export const mediaAssets = pgTable(
  "media_assets",
  {
    id: id(),
    name: text().notNull(),
    sha256: text()
      .notNull()
      .references(() => mediaObjects.sha256, { onDelete: "restrict" }),
    /** How it is sent: a kind of the content model (image, video, audio, voice, document, sticker). */
    kind: text().notNull(),
    fileName: text(),
    mimeType: text().notNull(),
    size: bigint({ mode: "number" }).notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("media_assets_name_key").on(sql`lower(${t.name})`),
    index("media_assets_sha256_idx").on(t.sha256),
  ],
);
