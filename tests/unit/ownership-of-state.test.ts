import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * One owner per piece of state: the conversations module (server/conversations/) is the only
 * code that writes a conversation's state (`threads`: mode, owner, waiting since…) and the only
 * code that stores outbound messages. This scans every source file of server/, workers/ and
 * app/ (not tests) for writes to those tables, however the table is named (an import alias,
 * `schema.threads`, raw SQL), and fails on any outside the module and the allowlist below.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const OWNER = "server/conversations/";

/** Columns of `threads` that are a conversation's state (camelCase for drizzle, snake_case for SQL). */
const STATE_COLUMNS = [
  "mode",
  "assigned_user_id",
  "assignedUserId",
  // The team whose queue a hand-off went to (server/conversations: hand-offs and assignment).
  "team_id",
  "teamId",
  "handoff_at",
  "handoffAt",
  "awaiting_since",
  "awaitingSince",
  "human_active_at",
  "humanActiveAt",
  "closed_at",
  "closedAt",
  "bot_paused_at",
  "botPausedAt",
  "auto_replies_at",
  "autoRepliesAt",
  "last_message_at",
  "lastMessageAt",
  // The active flow's state (server/flows/state.ts): written by the pipeline's thread update and server/conversations/flow.ts.
  "flow",
];

type TKind = "threads state" | "threads insert" | "messages insert" | "messages update";
type TFinding = { file: string; kind: TKind; line: number; excerpt: string };

/**
 * Writes that stay outside the module, each with its reason. An entry that no longer matches
 * anything fails the test too, so the list cannot go stale.
 */
const ALLOWED: { file: string; kind: TKind; reason: string }[] = [
  {
    file: "server/messaging/ingest.ts",
    kind: "messages insert",
    reason:
      "inbound rows only (direction 'in'), in ingest's one statement; its thread side is conversations' inboundThreadsUpsert",
  },
  {
    file: "server/messaging/statuses.ts",
    kind: "messages update",
    reason: "delivery acks (sent → delivered → read): a message's status belongs to the send pipeline",
  },
  {
    file: "server/messaging/outbound.ts",
    kind: "messages update",
    reason: "the send pipeline records `sent` (and `failed` after the last try): a message's status is the pipeline's",
  },
  {
    file: "server/messaging/process.ts",
    kind: "messages update",
    reason: "marks inbound messages processed (processed_at, no_reply_reason): the pipeline's bookkeeping",
  },
  {
    file: "server/media/message-media.ts",
    kind: "messages update",
    reason:
      "the media fields of inbound messages (content's file state, transcript; body and flags from them) once the media job or transcription settles them",
  },
  {
    file: "server/seed/large.ts",
    kind: "messages insert",
    reason: "the benchmark seed writes a million historical rows directly; it is never run on live data",
  },
  {
    file: "server/seed/large.ts",
    kind: "threads insert",
    reason: "the benchmark seed writes its threads directly; it is never run on live data",
  },
  {
    file: "server/seed/large.ts",
    kind: "threads state",
    reason: "the benchmark seed sets its threads' last activity; it is never run on live data",
  },
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The names a file uses for a schema table: itself, import aliases, `ns.table`, `const x = table`. */
function namesOf(source: string, table: string): string[] {
  const names = new Set([table]);
  for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*["'][^"']*["']/g)) {
    for (const part of match[1]!.split(",")) {
      const alias = new RegExp(`^\\s*${table}\\s+as\\s+(\\w+)\\s*$`).exec(part);
      if (alias) names.add(alias[1]!);
    }
  }
  for (const match of source.matchAll(/import\s*\*\s*as\s+(\w+)\s+from/g)) names.add(`${match[1]}.${table}`);
  let grew = true;
  while (grew) {
    grew = false;
    for (const name of [...names]) {
      for (const match of source.matchAll(
        new RegExp(`(?:const|let|var)\\s+(\\w+)\\s*=\\s*${escape(name)}\\s*[;\\n]`, "g"),
      )) {
        if (!names.has(match[1]!)) {
          names.add(match[1]!);
          grew = true;
        }
      }
    }
  }
  return [...names];
}

/** The statement after a write: up to its `where` (drizzle's `.where(` or SQL's), at most 1,500 characters. */
function statementAfter(source: string, index: number): string {
  const rest = source.slice(index, index + 1_500);
  const end = rest.slice(1).search(/\.where\(|\bwhere\b|\breturning\b/i);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** Writes to `threads` and `messages` in one source file, whatever the tables are called there. */
export function findStateWrites(source: string, file: string): TFinding[] {
  // Comments are not code (they may well describe the writes this test forbids).
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
  const findings: TFinding[] = [];
  const add = (kind: TKind, index: number) => {
    const line = code.slice(0, index).split("\n").length;
    findings.push({ file, kind, line, excerpt: code.slice(index, index + 80).replace(/\s+/g, " ") });
  };
  const tableRef = (table: string) => {
    // Any `namespace.table` counts too (`schema.threads`), whatever the namespace is called.
    const names = [...namesOf(code, table).map(escape), `[\\w$]+\\.${table}`].join("|");
    // drizzle: .update(x) / .insert(x); SQL: update ${x} / update "public"."threads" / insert into threads.
    return {
      drizzle: (verb: string) => new RegExp(`\\.${verb}\\(\\s*(?:${names})\\s*\\)`, "g"),
      sql: (verb: string) =>
        new RegExp(
          `\\b${verb}\\s+(?:only\\s+)?(?:\\$\\{\\s*(?:${names})\\s*\\}|(?:"?public"?\\.)?"?${table}"?(?![\\w$]))`,
          "gi",
        ),
    };
  };
  const threads = tableRef("threads");
  const messages = tableRef("messages");
  const stateColumn = new RegExp(`(?<![\\w$])(?:${STATE_COLUMNS.join("|")})(?![\\w$])`);
  for (const pattern of [threads.drizzle("update"), threads.sql("update")]) {
    for (const match of code.matchAll(pattern)) {
      const statement = statementAfter(code, match.index);
      // A `set` whose columns cannot be read here (a variable, a spread) counts as a state write.
      const opaque = /\.set\(\s*(?!\{)/.test(statement) || /\.set\(\s*\{[^}]*\.\.\./.test(statement);
      if (opaque || stateColumn.test(statement)) add("threads state", match.index);
    }
  }
  for (const pattern of [threads.drizzle("insert"), threads.sql("insert\\s+into")]) {
    for (const match of code.matchAll(pattern)) add("threads insert", match.index);
  }
  for (const pattern of [messages.drizzle("insert"), messages.sql("insert\\s+into")]) {
    for (const match of code.matchAll(pattern)) add("messages insert", match.index);
  }
  for (const pattern of [messages.drizzle("update"), messages.sql("update")]) {
    for (const match of code.matchAll(pattern)) add("messages update", match.index);
  }
  return findings;
}

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, folder), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(ts|tsx|mts|js|mjs)$/.test(entry.name)) continue;
    if (/\.(test|spec)\.[a-z]+$/.test(entry.name)) continue;
    files.push(path.relative(ROOT, path.join(entry.parentPath, entry.name)));
  }
  return files;
}

describe("ownership of conversation state", () => {
  it("[scan] finds writes to threads and messages however the tables are named", () => {
    const found = (source: string) => findStateWrites(source, "x.ts").map((finding) => finding.kind);
    expect(found(`await tx.update(threads).set({ mode: "human" }).where(eq(threads.id, id));`)).toEqual([
      "threads state",
    ]);
    expect(found(`await tx.update(schema.threads).set({ awaitingSince: null });`)).toEqual(["threads state"]);
    expect(
      found(`import * as schema from "~/db/schema";\nawait tx.update(schema.threads).set({ awaitingSince: null });`),
    ).toEqual(["threads state"]);
    expect(
      found(`import { threads as t, users } from "~/db/schema";\nawait db.update(t).set({ assignedUserId: u });`),
    ).toEqual(["threads state"]);
    expect(
      found(`import { threads } from "~/db/schema";\nconst table = threads;\ndb.update(table).set(change);`),
    ).toEqual(["threads state"]);
    expect(found("await tx.execute(sql`UPDATE threads SET mode = 'bot' WHERE id = ${id}`);")).toEqual([
      "threads state",
    ]);
    expect(found('await client.query(\'update "public"."threads" t set handoff_at = now()\');')).toEqual([
      "threads state",
    ]);
    expect(found("sql`update ${threads} t set assigned_user_id = null from x where t.id = x.id`")).toEqual([
      "threads state",
    ]);
    expect(found("sql`insert into ${threads} (contact_id) values (${id})`")).toEqual(["threads insert"]);
    expect(found(`await tx.insert(messages).values(row);`)).toEqual(["messages insert"]);
    expect(found("sql`INSERT INTO messages (id) select id from x`")).toEqual(["messages insert"]);
    expect(found("sql`update ${messages} set status = 'queued'`")).toEqual(["messages update"]);
    // Not state, or not these tables.
    expect(found(`await tx.update(threads).set({ topics: next }).where(eq(threads.id, id));`)).toEqual([]);
    expect(found(`await tx.update(threadReads).set({ lastReadSeq: 3 });`)).toEqual([]);
    expect(found("sql`update thread_reads set last_read_seq = 1`")).toEqual([]);
    expect(found("// update threads set mode = 'bot' (a comment)\n/* insert into messages */")).toEqual([]);
  });

  it("[conversations] no module but server/conversations writes conversation state or outbound messages", () => {
    const findings = ["server", "workers", "app"]
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith(OWNER))
      .flatMap((file) => findStateWrites(readFileSync(path.join(ROOT, file), "utf8"), file));
    const allowed = (finding: TFinding) =>
      ALLOWED.some((entry) => entry.file === finding.file && entry.kind === finding.kind);
    const offending = findings
      .filter((finding) => !allowed(finding))
      .map((finding) => `${finding.file}:${finding.line} ${finding.kind}: ${finding.excerpt}`);
    expect(
      offending,
      "call server/conversations (state.ts for transitions, outbound.ts for outbound messages) instead",
    ).toEqual([]);
    const stale = ALLOWED.filter(
      (entry) => !findings.some((finding) => finding.file === entry.file && finding.kind === entry.kind),
    ).map((entry) => `${entry.file} (${entry.kind})`);
    expect(stale, "allowlist entries that match nothing any more: remove them").toEqual([]);
  });
});
