import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { contacts, notifications, threads, users } from "~/db/schema";
import type { NOTIFICATION_KINDS } from "~/db/schema";
import type { TSessionUser } from "~/server/auth/roles";
import { jsonRecordset } from "~/server/lib/sql";

/**
 * Notifications: something one staff member should see (a teammate mentioned them in a note, or
 * a conversation was given to them). Stored in `notifications`, shown by the bell in the shell,
 * and announced live to that one person: the same statement that stores them NOTIFYs
 * `NOTIFICATIONS_CHANNEL` (delivered at commit, so never for a rolled-back change), which each
 * web process's EventHub relays as the live-only `notification.created` event to that user's
 * streams only.
 */
export const NOTIFICATIONS_CHANNEL = "switchboard_notifications";

export type TNotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type TNewNotification = {
  userId: string;
  kind: TNotificationKind;
  threadId: string | null;
  noteId?: string | null;
  actorUserId: string | null;
};

/** What a NOTIFY on `NOTIFICATIONS_CHANNEL` carries. */
export const ZNotificationNotice = z.object({ id: z.uuid(), userId: z.uuid(), threadId: z.uuid().nullable() });

/**
 * Stores notifications and announces each to its user, in one statement (call it in the
 * transaction of the change they tell about). Nobody is notified of their own doing.
 */
export async function createNotifications(tx: TDbOrTx, list: readonly TNewNotification[]): Promise<void> {
  const rows = list
    .filter((row) => row.userId !== row.actorUserId)
    .map((row) => ({ ...row, noteId: row.noteId ?? null }));
  if (rows.length === 0) return;
  await tx.execute(sql`
    with created as (
      insert into ${notifications} (user_id, kind, thread_id, note_id, actor_user_id)
      select "userId", kind, "threadId", "noteId", "actorUserId"
      from ${jsonRecordset(rows, `"userId" uuid, kind text, "threadId" uuid, "noteId" uuid, "actorUserId" uuid`)} n
      returning id, user_id, thread_id
    )
    select pg_notify(${NOTIFICATIONS_CHANNEL}, json_build_object('id', id, 'userId', user_id, 'threadId', thread_id)::text)
    from created`);
}

/** How many notifications the list shows (the newest). */
const LIST_LIMIT = 50;

/** The bell: a user's newest notifications (who, which conversation) and how many are unread. */
export async function listNotifications(db: TDbOrTx, user: Pick<TSessionUser, "id">) {
  const actor = alias(users, "actor");
  const items = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      threadId: notifications.threadId,
      noteId: notifications.noteId,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
      actorName: actor.name,
      contactName: sql<string | null>`coalesce(${contacts.name}, ${contacts.waId})`,
    })
    .from(notifications)
    .leftJoin(actor, eq(actor.id, notifications.actorUserId))
    .leftJoin(threads, eq(threads.id, notifications.threadId))
    .leftJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(notifications.userId, user.id))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(LIST_LIMIT);
  const [unread] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.userId, user.id), isNull(notifications.readAt)));
  return { items, unread: unread?.count ?? 0 };
}

export const ZMarkNotificationsInput = z.object({
  /** Those to mark read; none given: all of the user's. */
  ids: z.array(z.uuid()).max(200).optional(),
});

/** Marks a user's notifications read (theirs only; already read ones keep their time). */
export async function markNotificationsRead(
  db: TDbOrTx,
  user: Pick<TSessionUser, "id">,
  raw: z.input<typeof ZMarkNotificationsInput>,
) {
  const input = ZMarkNotificationsInput.parse(raw);
  const updated = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(
      and(
        eq(notifications.userId, user.id),
        isNull(notifications.readAt),
        input.ids ? inArray(notifications.id, input.ids) : undefined,
      ),
    )
    .returning({ id: notifications.id });
  return { marked: updated.length };
}
