import { sql } from "drizzle-orm";
import { boolean, jsonb, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns";
import { relationship } from "./relationship";

export const FORMALITIES = ["casual", "neutral", "formal"] as const;
export const formality = pgEnum("formality", FORMALITIES);
export const RESPONSE_LENGTHS = ["short", "medium", "long"] as const;
export const responseLength = pgEnum("response_length", RESPONSE_LENGTHS);
export const EMOJI_USES = ["none", "some", "many"] as const;
export const emojiUse = pgEnum("emoji_use", EMOJI_USES);

/** Business facts a profile gives the bot: name, services, hours, links. */
export type TBusinessInfo = {
  name?: string;
  services?: string[];
  hours?: string;
  links?: string[];
  facts?: string[];
};

/** How the bot speaks to a contact: who it is, tone, what to avoid, business facts. */
export const contextProfiles = pgTable(
  "context_profiles",
  {
    id: id(),
    name: text().notNull(),
    persona: text().notNull().default(""),
    businessInfo: jsonb().$type<TBusinessInfo>().notNull().default({}),
    tone: text().notNull().default("friendly"),
    formality: formality().notNull().default("neutral"),
    responseLength: responseLength().notNull().default("short"),
    emoji: emojiUse().notNull().default("some"),
    language: text().notNull().default("en"),
    topics: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    topicsToAvoid: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    instructions: text().notNull().default(""),
    fallbackText: text().notNull().default(""),
    /**
     * Answer only from the knowledge base: when no passage of the profile's collections is
     * relevant, the bot says it will pass the question on and hands off instead of answering.
     */
    knowledgeOnly: boolean().notNull().default(false),
    /** Whether a reply drawn from the knowledge base names its sources to the contact. */
    citeSources: boolean().notNull().default(true),
    isDefault: boolean().notNull().default(false),
    /** Contacts with one of these relationships (and no profile of their own) get this profile. */
    relationships: relationship()
      .array()
      .notNull()
      .default(sql`'{}'::relationship[]`),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("context_profiles_name_key").on(t.name),
    // At most one default profile.
    uniqueIndex("context_profiles_single_default_key")
      .on(t.isDefault)
      .where(sql`${t.isDefault}`),
  ],
);
