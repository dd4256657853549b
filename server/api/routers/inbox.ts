import { z } from "zod";
import {
  deleteCannedReply,
  listCannedReplies,
  renderCannedReply,
  saveCannedReply,
  ZCannedReplyInput,
} from "~/server/inbox/canned";
import {
  addNote,
  sendAgentReply,
  sendAgentTemplate,
  suggestReply,
  ZAgentReplyInput,
  ZAgentTemplateInput,
  ZNoteInput,
} from "~/server/inbox/compose";
import { listThreadTemplates } from "~/server/inbox/templates";
import { listSenders, startConversation, ZStartConversationInput } from "~/server/inbox/start";
import { inboxCounts, listInboxThreads, ZInboxListInput } from "~/server/inbox/list";
import {
  assignThread,
  closeThread,
  releaseThread,
  reopenThread,
  takeOver,
  ZAssignInput,
} from "~/server/conversations/state";
import { dashboardMediaLinks } from "~/server/media/links";
import { watchContactPresence } from "~/server/inbox/presence";
import { getInboxThread, markThreadRead, ZInboxThreadInput } from "~/server/inbox/thread";
import { listAssignableUsers } from "~/server/users/users";
import {
  bulkAssign,
  bulkClose,
  bulkLabel,
  ZBulkAssignInput,
  ZBulkCloseInput,
  ZBulkLabelInput,
} from "~/server/inbox/bulk";
import {
  listLabelsInUse,
  snoozeThread,
  updateThreadTags,
  wakeThread,
  ZSnoozeInput,
  ZThreadTagsInput,
} from "~/server/inbox/work";
import {
  listNotifications,
  markNotificationsRead,
  ZMarkNotificationsInput,
} from "~/server/notifications/notifications";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZThread = z.object({ threadId: z.uuid() });

export const inboxRouter = createTRPCRouter({
  list: requireAccess("inbox", "read")
    .input(ZInboxListInput)
    .query(({ ctx, input }) => listInboxThreads(ctx.db, ctx.user, input)),
  counts: requireAccess("inbox", "read").query(({ ctx }) => inboxCounts(ctx.db, ctx.user)),
  thread: requireAccess("inbox", "read")
    .input(ZInboxThreadInput)
    .query(({ ctx, input }) => getInboxThread(ctx.db, input, { media: dashboardMediaLinks(ctx.appSecret) })),
  markRead: requireAccess("inbox", "read")
    .input(ZThread.extend({ seq: z.number().int().positive() }))
    .mutation(({ ctx, input }) => markThreadRead(ctx.db, ctx.user, input.threadId, input.seq)),
  /**
   * The conversation is open: ask the number's worker for the contact's presence (where its
   * engine reports it), which then arrives live as `contact.presence`. Repeated by the Inbox.
   */
  watchPresence: requireAccess("inbox", "read")
    .input(ZThread)
    .mutation(({ ctx, input }) => watchContactPresence(ctx.db, ctx.user, input.threadId)),
  agents: requireAccess("inbox", "read").query(({ ctx }) => listAssignableUsers(ctx.db)),
  /** The numbers a conversation can be started from (New conversation's choice). */
  senders: requireAccess("inbox", "read").query(({ ctx }) => listSenders(ctx.db)),
  /** A new conversation with a number, taken over by the caller (the first message then goes through its composer). */
  start: requireAccess("inbox", "write")
    .input(ZStartConversationInput)
    .mutation(({ ctx, input }) => startConversation(ctx.db, ctx.user, input)),
  takeOver: requireAccess("inbox", "write")
    .input(ZThread)
    .mutation(({ ctx, input }) => takeOver(ctx.db, ctx.user, input.threadId)),
  assign: requireAccess("inbox", "write")
    .input(ZAssignInput)
    .mutation(async ({ ctx, input }) => assignThread(ctx.db, ctx.user, input, await ctx.boss())),
  release: requireAccess("inbox", "write")
    .input(ZThread)
    .mutation(async ({ ctx, input }) => releaseThread(ctx.db, await ctx.boss(), ctx.user, input.threadId)),
  close: requireAccess("inbox", "write")
    .input(ZThread)
    .mutation(async ({ ctx, input }) => closeThread(ctx.db, await ctx.boss(), ctx.user, input.threadId)),
  reopen: requireAccess("inbox", "write")
    .input(ZThread)
    .mutation(({ ctx, input }) => reopenThread(ctx.db, ctx.user, input.threadId)),
  reply: requireAccess("inbox", "write")
    .input(ZAgentReplyInput)
    .mutation(async ({ ctx, input }) => sendAgentReply(ctx.db, await ctx.boss(), ctx.user, input)),
  /** The approved templates the thread's number can send (none where its engine sends no templates). */
  templates: requireAccess("inbox", "read")
    .input(ZThread)
    .query(({ ctx, input }) => listThreadTemplates(ctx.db, input.threadId)),
  sendTemplate: requireAccess("inbox", "write")
    .input(ZAgentTemplateInput)
    .mutation(async ({ ctx, input }) => sendAgentTemplate(ctx.db, await ctx.boss(), ctx.user, input)),
  note: requireAccess("inbox", "write")
    .input(ZNoteInput)
    .mutation(({ ctx, input }) => addNote(ctx.db, ctx.user, input)),
  suggest: requireAccess("inbox", "write")
    .input(ZThread)
    .mutation(({ ctx, input }) =>
      suggestReply(
        ctx.db,
        {
          gemini: ctx.gemini,
          tools: { allowPrivate: ctx.webhooks.allowPrivate, appSecret: ctx.appSecret },
        },
        input.threadId,
      ),
    ),
  canned: requireAccess("inbox", "read").query(({ ctx }) => listCannedReplies(ctx.db)),
  saveCanned: requireAccess("inbox", "write")
    .input(z.object({ id: z.uuid().nullable(), reply: ZCannedReplyInput }))
    .mutation(({ ctx, input }) => saveCannedReply(ctx.db, ctx.user, input.id, input.reply)),
  deleteCanned: requireAccess("inbox", "write")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteCannedReply(ctx.db, ctx.user, input.id)),
  renderCanned: requireAccess("inbox", "read")
    .input(ZThread.extend({ id: z.uuid() }))
    .query(({ ctx, input }) => renderCannedReply(ctx.db, input.id, input.threadId)),
  snooze: requireAccess("inbox", "write")
    .input(ZSnoozeInput)
    .mutation(({ ctx, input }) => snoozeThread(ctx.db, ctx.user, input)),
  wake: requireAccess("inbox", "write")
    .input(ZThread)
    .mutation(({ ctx, input }) => wakeThread(ctx.db, ctx.user, input.threadId)),
  /** Priority and/or labels of one conversation. */
  tag: requireAccess("inbox", "write")
    .input(ZThreadTagsInput)
    .mutation(({ ctx, input }) => updateThreadTags(ctx.db, ctx.user, input)),
  /** Labels in use, for suggestions and the list's label filter. */
  labels: requireAccess("inbox", "read").query(({ ctx }) => listLabelsInUse(ctx.db)),
  bulkAssign: requireAccess("inbox", "write")
    .input(ZBulkAssignInput)
    .mutation(async ({ ctx, input }) => bulkAssign(ctx.db, await ctx.boss(), ctx.user, input)),
  bulkClose: requireAccess("inbox", "write")
    .input(ZBulkCloseInput)
    .mutation(async ({ ctx, input }) => bulkClose(ctx.db, await ctx.boss(), ctx.user, input)),
  bulkLabel: requireAccess("inbox", "write")
    .input(ZBulkLabelInput)
    .mutation(({ ctx, input }) => bulkLabel(ctx.db, ctx.user, input)),
  /** The bell: the user's own notifications (mentions, conversations given to them). */
  notifications: requireAccess("inbox", "read").query(({ ctx }) => listNotifications(ctx.db, ctx.user)),
  readNotifications: requireAccess("inbox", "read")
    .input(ZMarkNotificationsInput)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx.db, ctx.user, input)),
});
