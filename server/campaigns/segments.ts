import { asc, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { contacts, messages, RELATIONSHIPS, segments, threads } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { audienceConsentSql } from "~/server/contacts/consent";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { pgArray } from "~/server/lib/sql";

/**
 * Segments: saved contact filters, for campaigns. A filter is a conjunction of optional parts
 * (every part given must hold); members are computed when asked (`segmentWhere`), so a segment
 * always means "who matches now". Opted-out and blocked contacts can match a segment, but are
 * never reachable (`reachableWhere`): no campaign sends to them.
 */

const ZFieldCondition = z
  .object({
    key: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, "A custom field's key"),
    op: z.enum(["eq", "neq", "contains", "gt", "lt", "set", "unset"]),
    value: z.union([z.string().max(200), z.number(), z.boolean()]).optional(),
  })
  .strict()
  .refine((condition) => ["set", "unset"].includes(condition.op) || condition.value !== undefined, {
    message: "Give the value to compare with",
    path: ["value"],
  })
  .refine((condition) => !["gt", "lt"].includes(condition.op) || typeof condition.value === "number", {
    message: "Greater and less than compare numbers",
    path: ["value"],
  });

const ZTag = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[^,{}"\\]+$/, "A tag without commas, braces, quotes or backslashes");

export const ZSegmentFilter = z
  .object({
    /** Tags: any of, all of, none of. */
    tags: z
      .object({
        any: z.array(ZTag).max(50).default([]),
        all: z.array(ZTag).max(50).default([]),
        none: z.array(ZTag).max(50).default([]),
      })
      .strict()
      .optional(),
    relationships: z.array(z.enum(RELATIONSHIPS)).max(RELATIONSHIPS.length).optional(),
    priorityMin: z.number().int().min(-1_000).max(1_000).optional(),
    priorityMax: z.number().int().min(-1_000).max(1_000).optional(),
    fields: z.array(ZFieldCondition).max(20).optional(),
    /** Last contact: within the last N days, or not for N days ("never" counts as not). */
    lastContact: z
      .object({
        withinDays: z.number().int().min(1).max(3_650).optional(),
        olderThanDays: z.number().int().min(1).max(3_650).optional(),
      })
      .strict()
      .optional(),
    /** Opted in (consent recorded) or not. */
    optedIn: z.boolean().optional(),
    /** Wrote to us at least once (true), or never did (false). */
    wroteFirst: z.boolean().optional(),
    /** Contacts of these numbers only. */
    sessionIds: z.array(z.uuid()).max(50).optional(),
  })
  .strict()
  .refine(
    (filter) =>
      filter.priorityMin === undefined || filter.priorityMax === undefined || filter.priorityMin <= filter.priorityMax,
    { message: "The lowest priority must not be above the highest", path: ["priorityMax"] },
  );
export type TSegmentFilter = z.infer<typeof ZSegmentFilter>;

export const ZSegmentInput = z.object({
  name: z.string().trim().min(1, "Name the segment").max(120, "At most 120 characters"),
  filter: ZSegmentFilter,
});

/** The condition on `contacts` (as `c`) that a filter means. */
export function segmentWhere(filter: TSegmentFilter): SQL {
  const parts: SQL[] = [sql`true`];
  const { tags } = filter;
  if (tags?.any.length) parts.push(sql`c.tags && ${pgArray(tags.any, "text")}`);
  if (tags?.all.length) parts.push(sql`c.tags @> ${pgArray(tags.all, "text")}`);
  if (tags?.none.length) parts.push(sql`not (c.tags && ${pgArray(tags.none, "text")})`);
  if (filter.relationships?.length)
    parts.push(sql`c.relationship = any(${pgArray(filter.relationships, "relationship")})`);
  if (filter.priorityMin !== undefined) parts.push(sql`c.priority >= ${filter.priorityMin}`);
  if (filter.priorityMax !== undefined) parts.push(sql`c.priority <= ${filter.priorityMax}`);
  for (const condition of filter.fields ?? []) parts.push(fieldCondition(condition));
  const { lastContact } = filter;
  if (lastContact?.withinDays !== undefined)
    parts.push(sql`c.last_interaction_at >= now() - make_interval(days => ${lastContact.withinDays})`);
  if (lastContact?.olderThanDays !== undefined)
    parts.push(
      sql`coalesce(c.last_interaction_at, '-infinity') < now() - make_interval(days => ${lastContact.olderThanDays})`,
    );
  if (filter.optedIn !== undefined)
    parts.push(filter.optedIn ? sql`c.opted_in_at is not null` : sql`c.opted_in_at is null`);
  if (filter.wroteFirst !== undefined) parts.push(filter.wroteFirst ? wroteFirst : sql`not ${wroteFirst}`);
  if (filter.sessionIds?.length) parts.push(sql`c.session_id = any(${pgArray(filter.sessionIds, "uuid")})`);
  return sql.join(parts, sql` and `);
}

/** The contact wrote to us at least once (any of their conversations). */
const wroteFirst = sql`exists (
  select 1 from ${threads} t join ${messages} m on m.thread_id = t.id
  where t.contact_id = c.id and m.direction = 'in')`;

/** Whom a campaign may send to at all (the consent module's rule): not opted out, not blocked. */
export const reachableWhere = audienceConsentSql({ optedOut: sql`c.opted_out`, blocked: sql`c.blocked` });

function fieldCondition(condition: z.infer<typeof ZFieldCondition>): SQL {
  const text = sql`(c.fields ->> ${condition.key})`;
  const value = condition.value;
  switch (condition.op) {
    case "set":
      return sql`c.fields ? ${condition.key}`;
    case "unset":
      return sql`not (c.fields ? ${condition.key})`;
    case "eq":
      return sql`lower(${text}) = lower(${String(value)})`;
    case "neq":
      return sql`lower(coalesce(${text}, '')) <> lower(${String(value)})`;
    case "contains":
      return sql`${text} ilike ${`%${String(value).replace(/[\\%_]/g, "\\$&")}%`}`;
    case "gt":
    case "lt": {
      const number = sql`case when jsonb_typeof(c.fields -> ${condition.key}) = 'number' then (c.fields ->> ${condition.key})::numeric end`;
      return condition.op === "gt" ? sql`${number} > ${value as number}` : sql`${number} < ${value as number}`;
    }
  }
}

/** How many contacts match a filter now, and how many of them a campaign could reach. */
export async function countSegment(db: TDbOrTx, raw: unknown): Promise<{ matching: number; reachable: number }> {
  const filter = ZSegmentFilter.parse(raw);
  const { rows } = await db.execute<{ matching: number; reachable: number }>(sql`
    select count(*)::int as matching, (count(*) filter (where ${reachableWhere}))::int as reachable
    from ${contacts} c where ${segmentWhere(filter)}`);
  return rows[0] ?? { matching: 0, reachable: 0 };
}

export async function listSegments(db: TDbOrTx) {
  const rows = await db
    .select()
    .from(segments)
    .orderBy(asc(sql`lower(${segments.name})`));
  return rows.map((row) => ({ ...row, filter: readFilter(row.filter) }));
}

/** A stored filter as it is now valid (a part no longer valid is dropped, never widening silently to "everyone"). */
function readFilter(stored: unknown): TSegmentFilter {
  const parsed = ZSegmentFilter.safeParse(stored);
  if (parsed.success) return parsed.data;
  // Unreadable: match nobody rather than everyone.
  return { sessionIds: ["00000000-0000-0000-0000-000000000000"] };
}

export async function getSegment(db: TDbOrTx, id: string) {
  const [row] = await db.select().from(segments).where(eq(segments.id, id));
  if (!row) throw new AppError("NOT_FOUND", serverText("campaigns.segmentNotFound"));
  return { ...row, filter: readFilter(row.filter) };
}

/** Creates a segment (`id` null) or changes one; the name is unique (without case). Audited. */
export async function saveSegment(db: TDb, actor: TActor, id: string | null, raw: z.input<typeof ZSegmentInput>) {
  const input = ZSegmentInput.parse(raw);
  return db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: segments.id })
      .from(segments)
      .where(sql`lower(${segments.name}) = lower(${input.name}) and ${segments.id} is distinct from ${id}`);
    if (clash)
      throw new AppError("CONFLICT", serverText("campaigns.segmentExists"), {
        name: serverText("campaigns.segmentExists"),
      });
    if (!id) {
      const [created] = await tx.insert(segments).values(input).returning();
      await recordAudit(tx, actor, { action: "create", entity: "segment", entityId: created!.id, after: created });
      return { ...created!, filter: input.filter };
    }
    const [before] = await tx.select().from(segments).where(eq(segments.id, id)).for("update");
    if (!before) throw new AppError("NOT_FOUND", serverText("campaigns.segmentNotFound"));
    const [after] = await tx
      .update(segments)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(segments.id, id))
      .returning();
    await recordAudit(tx, actor, { action: "update", entity: "segment", entityId: id, before, after });
    return { ...after!, filter: input.filter };
  });
}

export async function deleteSegment(db: TDb, actor: TActor, id: string) {
  await db.transaction(async (tx) => {
    const [before] = await tx.delete(segments).where(eq(segments.id, id)).returning();
    if (!before) throw new AppError("NOT_FOUND", serverText("campaigns.segmentNotFound"));
    await recordAudit(tx, actor, { action: "delete", entity: "segment", entityId: id, before });
  });
}
