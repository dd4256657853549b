import { pgEnum } from "drizzle-orm/pg-core";

/** How the business knows a contact (its own module: contacts and profiles both use it). */
export const RELATIONSHIPS = ["family", "friend", "client", "colleague", "other"] as const;
export const relationship = pgEnum("relationship", RELATIONSHIPS);
