import { and, asc, eq, gt, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDbOrTx, TTx } from "~/db/client";
import { contacts, satisfactionSurveys, teams, users } from "~/db/schema";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { serviceWindowOf } from "~/server/conversations/window";
import { domainText, serverText } from "~/server/i18n/domain";
import { DEFAULT_LOCALE, isLocale, type TLocale } from "~/server/i18n/locales";
import { jsonRecordset } from "~/server/lib/sql";
import { textOf, type TContentOf, type TMessageContent } from "~/server/messages/content";
import { LOCALES } from "~/server/i18n/locales";

/**
 * The satisfaction survey: when people close a conversation of a team that has the survey on,
 * the contact is asked for a 1–5 score (a list of five on an engine with buttons, the same as a
 * numbered menu elsewhere: one `interactive` content, shown as each engine can). Their next
 * message, while the survey is open (SURVEY_HOURS), is read here before any rule or flow: a
 * score is kept and thanked, and the message after it (within COMMENT_MINUTES) is kept as the
 * comment; anything else ends the survey and goes on to the bot as usual.
 */

/** How long after it was sent an answer is taken as the survey's. */
export const SURVEY_HOURS = 24;
/** How long after the score the contact's next text is taken as their comment. */
export const COMMENT_MINUTES = 10;
/** On the survey's messages (the question and the thanks): what the Inbox labels them by. */
export const SURVEY_FLAG = "survey";
/** The id of each option (what a tapped list row or button answers). */
const OPTION_ID = /^survey:([1-5])$/;
const MAX_COMMENT_CHARS = 2_000;
const SCORES = [1, 2, 3, 4, 5] as const;

/** The language the contact is written to: the org's first admin's language (the org has no setting of its own), else English. */
export async function orgLocale(db: TDbOrTx): Promise<TLocale> {
  const [admin] = await db
    .select({ locale: users.locale })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.disabled, false), isNotNull(users.locale)))
    .orderBy(asc(users.createdAt))
    .limit(1);
  return isLocale(admin?.locale) ? admin.locale : DEFAULT_LOCALE;
}

/** The survey as one content: a list of the five scores (1 first, so "3" in a numbered menu is 3). */
export function surveyContent(locale: TLocale): TContentOf<"interactive"> {
  const t = (key: string) => domainText(locale, serverText(`survey.${key}`));
  return {
    kind: "interactive",
    style: "list",
    body: t("ask"),
    button: t("button"),
    options: SCORES.map((score) => ({
      id: `survey:${score}`,
      title: t(`score${score}`),
      description: "⭐".repeat(score),
    })),
  };
}

/** The score titles in every language, folded, for answers typed as words ("excellent"). */
const TITLE_SCORES = new Map(
  LOCALES.flatMap((locale) =>
    SCORES.map((score) => [fold(domainText(locale, serverText(`survey.score${score}`))), score] as const),
  ),
);

function fold(text: string): string {
  return text.normalize("NFKC").trim().replace(/\s+/g, " ").toLocaleLowerCase();
}

function comment(text: string | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed.slice(0, MAX_COMMENT_CHARS) : null;
}

export type TSurveyAnswer = { score: number; comment: string | null };

/**
 * A message read as an answer to the survey, or null when it is not one: a tapped option
 * (`survey:4`), a digit 1–5 alone ("4", "4.", "4/5", "4 stars", "4️⃣"), one to five star emoji,
 * a score's title in any language ("excellent"), or a digit with a comment after a separator
 * ("4 - quick and kind"). "2 pizzas please" is not an answer: without a separator the words are
 * likely a new request; nor is "4,5" (a decimal comma).
 */
export function parseSurveyAnswer(content: TMessageContent): TSurveyAnswer | null {
  if (content.kind === "button_reply" || content.kind === "list_reply") {
    const chosen = OPTION_ID.exec(content.id);
    if (chosen) return { score: Number(chosen[1]), comment: null };
    return parseText(content.title);
  }
  if (content.kind !== "text") return null;
  return parseText(content.text);
}

function parseText(raw: string): TSurveyAnswer | null {
  const text = raw.normalize("NFKC").trim();
  if (!text || text.length > MAX_COMMENT_CHARS + 10) return null;
  const alone =
    /^([1-5])(?:\s*\/\s*5)?\s*(?:[.)!]|\u{FE0F}?\u{20E3}|[⭐★🌟]+|stars?|estrellas?|estrelas?|points?|puntos?|pontos?)?$/iu.exec(
      text,
    );
  if (alone) return { score: Number(alone[1]), comment: null };
  const stars = /^(?:[⭐★🌟]\s*){1,5}$/u.exec(text);
  if (stars) return { score: [...text.replace(/\s/g, "")].length, comment: null };
  const titled = TITLE_SCORES.get(fold(text));
  if (titled) return { score: titled, comment: null };
  const withComment = /^([1-5])(?:\s*\/\s*5)?\s*[-–—:,;]\s*(?!\d)([\s\S]+)$/u.exec(text);
  if (withComment) {
    const said = comment(withComment[2]);
    return said ? { score: Number(withComment[1]), comment: said } : null;
  }
  return null;
}

/** A comment after the score: any text (other kinds, a photo or a reaction, go on as usual). */
export function parseSurveyComment(content: TMessageContent): string | null {
  return content.kind === "text" ? comment(content.text) : null;
}

/**
 * The survey a batch's message may answer, as `message.process` reads it with its locked rows
 * (one column of its statement, no query of its own): the open one (`score`: not answered, not
 * expired when the message arrived, sent before it), else one answered within COMMENT_MINUTES
 * without a comment yet (`comment`, found through its `thread.survey_answered` event). Both are
 * probes of partial indexes (`satisfaction_surveys_open_idx`, `events_thread_activity_idx`), so
 * a team's conversation without a survey costs two empty index lookups, and one without a team
 * none.
 */
export type TOpenSurvey = {
  id: string;
  phase: "score" | "comment";
  teamId: string | null;
  agentId: string | null;
  sentAt: string;
  score: number | null;
};

export function openSurveyColumn(threadId: SQL, teamId: SQL, receivedAt: SQL): SQL<TOpenSurvey | null> {
  // Surveys are sent for team conversations only, and the team stays on the thread after it is
  // closed: a conversation no team ever had (most of the bot's traffic) costs no probe at all.
  return sql<TOpenSurvey | null>`case when ${teamId} is not null then coalesce(
    (select json_build_object('id', s.id, 'phase', 'score', 'teamId', s.team_id, 'agentId', s.agent_user_id,
        'sentAt', s.sent_at, 'score', null)
      from ${satisfactionSurveys} s
      where s.thread_id = ${threadId} and s.answered_at is null and s.expires_at > ${receivedAt}
        and s.sent_at <= ${receivedAt}
      order by s.sent_at desc limit 1),
    (select json_build_object('id', s.id, 'phase', 'comment', 'teamId', s.team_id, 'agentId', s.agent_user_id,
        'sentAt', s.sent_at, 'score', s.score)
      from events e join ${satisfactionSurveys} s on s.id = (e.payload->>'surveyId')::uuid
      where e.thread_id = ${threadId} and e.type = 'thread.survey_answered'
        and e.at > ${receivedAt} - interval '${sql.raw(String(COMMENT_MINUTES))} minutes'
        and s.comment is null
      order by e.at desc limit 1)) end`;
}

/** What a batch did to a survey: answered (score, maybe a comment), commented, or ended by a message that was not an answer. */
export type TSurveyWrite = {
  id: string;
  answeredAt: string | null;
  score: number | null;
  comment: string | null;
  endedAt: string | null;
};

/** The batch's survey writes, as a CTE of `message.process`'s one statement. */
export function surveyWritesSql(writes: readonly TSurveyWrite[]): SQL | null {
  if (writes.length === 0) return null;
  return sql`survey_writes as (
    update ${satisfactionSurveys} s set
      answered_at = coalesce(s.answered_at, w."answeredAt"),
      score = coalesce(s.score, w.score),
      comment = coalesce(s.comment, w.comment),
      expires_at = case when w."endedAt" is not null then least(s.expires_at, w."endedAt") else s.expires_at end
    from ${jsonRecordset(writes, `id uuid, "answeredAt" timestamptz, score smallint, comment text, "endedAt" timestamptz`)} w
    where s.id = w.id)`;
}

/** The texts the contact gets back: thanks for a score (inviting a comment), for a score with one, for a comment. */
export function surveyReplyText(locale: TLocale, kind: "thanks" | "thanksWithComment" | "commentThanks"): string {
  return domainText(locale, serverText(`survey.${kind}`));
}

/**
 * Sends the survey for a conversation people are closing, in the closing transaction, when its
 * team has the survey on: it was the people's (human) when closed, the contact is neither
 * blocked nor opted out (a survey is something we start), and, where the engine holds us to
 * WhatsApp's 24-hour window, the window is open. An older survey of the conversation still open
 * ends now. Records the survey (team, the owner at close) and queues the message. Returns the
 * survey's id, or null when none was sent.
 */
export async function sendSurveyOnClose(
  tx: TTx,
  boss: PgBoss,
  thread: {
    id: string;
    contactId: string;
    sessionId: string;
    mode: "bot" | "human" | "closed";
    teamId: string | null;
    assignedUserId: string | null;
  },
  now = new Date(),
): Promise<string | null> {
  if (thread.mode !== "human" || !thread.teamId) return null;
  const [target] = await tx
    .select({ surveyEnabled: teams.surveyEnabled, blocked: contacts.blocked, optedOut: contacts.optedOut })
    .from(teams)
    .innerJoin(contacts, eq(contacts.id, thread.contactId))
    .where(eq(teams.id, thread.teamId));
  if (!target?.surveyEnabled || target.blocked || target.optedOut) return null;
  const window = await serviceWindowOf(tx, thread.id, now);
  if (!window.open) return null;
  await tx
    .update(satisfactionSurveys)
    .set({ expiresAt: now })
    .where(
      and(
        eq(satisfactionSurveys.threadId, thread.id),
        isNull(satisfactionSurveys.answeredAt),
        gt(satisfactionSurveys.expiresAt, now),
      ),
    );
  const [survey] = await tx
    .insert(satisfactionSurveys)
    .values({
      threadId: thread.id,
      contactId: thread.contactId,
      teamId: thread.teamId,
      agentUserId: thread.assignedUserId,
      sentAt: now,
      expiresAt: new Date(now.getTime() + SURVEY_HOURS * 3_600_000),
    })
    .returning({ id: satisfactionSurveys.id });
  const content = surveyContent(await orgLocale(tx));
  await queueOutboundOne(tx, boss, {
    sessionId: thread.sessionId,
    threadId: thread.id,
    contactId: thread.contactId,
    body: textOf(content),
    content,
    // The bot's automatic message (no rule): there is no source of its own for Switchboard's messages.
    source: "system",
    // Marks Switchboard's survey messages (the Inbox names them; the source has no value of its own).
    flags: [SURVEY_FLAG],
    event: { survey: survey!.id },
  });
  return survey!.id;
}

/** The conversation's survey for the thread view: the latest answered one, else one sent and not answered. */
export type TThreadSatisfaction = {
  surveyId: string;
  sentAt: Date;
  expiresAt: Date;
  answeredAt: Date | null;
  score: number | null;
  comment: string | null;
  agentUserId: string | null;
  agentName: string | null;
  teamId: string | null;
  teamName: string | null;
};

/**
 * A conversation's satisfaction: the survey last answered (found by its `thread.survey_answered`
 * event, `events_thread_activity_idx`) or, when a later one is waiting, that one. Null when no
 * survey was ever sent here (checked through the open index and the events only: no scan).
 */
export async function threadSatisfaction(db: TDbOrTx, threadId: string): Promise<TThreadSatisfaction | null> {
  const { rows } = await db.execute<{
    id: string;
    sent_at: string;
    expires_at: string;
    answered_at: string | null;
    score: number | null;
    comment: string | null;
    agent_user_id: string | null;
    agent_name: string | null;
    team_id: string | null;
    team_name: string | null;
  }>(sql`
    select s.id, s.sent_at, s.expires_at, s.answered_at, s.score, s.comment, s.agent_user_id, u.name as agent_name,
      s.team_id, tm.name as team_name
    from (
      (select s.id, s.sent_at from ${satisfactionSurveys} s
        where s.thread_id = ${threadId} and s.answered_at is null order by s.sent_at desc limit 1)
      union all
      (select (e.payload->>'surveyId')::uuid, e.at from events e
        where e.thread_id = ${threadId} and e.type = 'thread.survey_answered' and e.payload ? 'surveyId'
        order by e.at desc limit 1)
    ) c join ${satisfactionSurveys} s on s.id = c.id
    left join ${users} u on u.id = s.agent_user_id
    left join ${teams} tm on tm.id = s.team_id
    -- A survey sent after the last answer is the one to show; else the answer.
    order by s.sent_at desc limit 1`);
  const row = rows[0];
  if (!row) return null;
  return {
    surveyId: row.id,
    sentAt: new Date(row.sent_at),
    expiresAt: new Date(row.expires_at),
    answeredAt: row.answered_at ? new Date(row.answered_at) : null,
    score: row.score === null ? null : Number(row.score),
    comment: row.comment,
    agentUserId: row.agent_user_id,
    agentName: row.agent_name,
    teamId: row.team_id,
    teamName: row.team_name,
  };
}
