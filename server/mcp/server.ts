import { createHash } from "node:crypto";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TTx } from "~/db/client";
import type { TApiScope } from "~/db/schema";
import { getContact } from "~/server/contacts/contacts";
import { AppError } from "~/server/errors";
import { findUnstorableText, unstorableTextMessage } from "~/server/lib/storable-text";
import type { Logger } from "~/server/logger";
import { listSessions } from "~/server/sessions/sessions";
import type { TApiCaller } from "~/server/rest/api-keys";
import { answerOnce } from "~/server/rest/handler";
import { ApiAnswer } from "~/server/rest/operation";
import { OPERATIONS } from "~/server/rest/operations";
import { PRESENCE_MAX_WAIT_S, readContactPresence, type TPresenceFeed } from "./presence";
import { transcriptOf } from "./transcript";

/** What the MCP server needs besides the caller: the same as the REST API, and where presence arrives. */
export type TMcpDeps = {
  db: TDb;
  boss: () => Promise<PgBoss>;
  log: Logger;
  presence: TPresenceFeed;
};

/** A tool's refusal the agent reads (bad input, a missing scope, a thread that is not there). */
class ToolRefusal extends Error {}

/** The MCP server's name and version, as `initialize` answers them. */
export const MCP_SERVER_INFO = { name: "switchboard", version: "1.0.0" };

/** How many messages a transcript resource holds: the latest ones. */
export const TRANSCRIPT_MESSAGES = 200;

function text(value: string): CallToolResult["content"][number] {
  return { type: "text", text: value };
}

function asJson(value: unknown): CallToolResult {
  return { content: [text(JSON.stringify(value, null, 2))] };
}

/** Refuses text Postgres cannot store (NUL, a lone surrogate) in any argument, as the REST API does. */
function refuseUnstorable(args: unknown) {
  const found = findUnstorableText(args);
  if (found)
    throw new ToolRefusal(unstorableTextMessage(`“${found.path.map(String).join(".") || "arguments"}”`, found));
}

function operation(operationId: string) {
  const found = OPERATIONS.find((candidate) => candidate.operationId === operationId);
  if (!found) throw new Error(`MCP: no REST operation ${operationId}`);
  return found;
}

/**
 * One MCP server for one request (the transport is stateless), bound to the API key that made
 * it. Every tool that the REST API also offers runs that REST operation itself (its schemas,
 * its handler, its scope): the same domain functions, nothing written twice. The others call
 * their domain function directly (a contact, the numbers, presence). Write tools are listed to
 * every key and refused, as a tool error, to a key without the `write` scope.
 */
export function createMcpServer(deps: TMcpDeps, caller: TApiCaller): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, {
    instructions:
      "Switchboard: a WhatsApp inbox. Threads are conversations with contacts; read them, search contacts, send messages (with an idempotency key), hand a thread to a person or give it back to the bot, and check the numbers and a contact's presence.",
  });

  const requireScope = (scope: TApiScope, tool: string) => {
    if (!caller.scopes.includes(scope)) {
      throw new ToolRefusal(`This API key lacks the "${scope}" scope, which ${tool} needs.`);
    }
  };

  /** Runs a REST operation with raw inputs (validated by its own schemas) for this caller. */
  const runOperation = async (
    operationId: string,
    raw: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown },
    tx: TTx | null = null,
  ): Promise<unknown> => {
    const found = operation(operationId);
    const accepted = found.accept({
      params: (raw.params ?? {}) as Record<string, string>,
      query: (raw.query ?? {}) as Record<string, string>,
      body: raw.body,
    });
    if (!accepted.ok) {
      const fields = accepted.issues.map((issue) => `${issue.path.map(String).join(".") || "input"}: ${issue.message}`);
      throw new ToolRefusal(`The arguments are not valid: ${fields.join("; ")}`);
    }
    const result = await accepted.run({ db: deps.db, boss: deps.boss, caller, linker: null, tx });
    return result instanceof ApiAnswer ? result.body : result;
  };

  /** Registers a tool whose refusals and domain errors come back as tool errors (`isError`), never a protocol error. */
  const tool = <TShape extends z.ZodRawShape>(
    name: string,
    config: { title: string; description: string; scope: TApiScope; inputSchema: TShape; readOnly: boolean },
    run: (args: z.output<z.ZodObject<TShape>>) => Promise<CallToolResult>,
  ) => {
    server.registerTool(
      name,
      {
        title: config.title,
        description: `${config.description} Needs the "${config.scope}" scope.`,
        inputSchema: config.inputSchema,
        annotations: { readOnlyHint: config.readOnly, openWorldHint: !config.readOnly },
      },
      (async (args: z.output<z.ZodObject<TShape>>): Promise<CallToolResult> => {
        try {
          requireScope(config.scope, name);
          refuseUnstorable(args);
          return await run(args);
        } catch (caught) {
          if (caught instanceof ToolRefusal || caught instanceof AppError) {
            return { isError: true, content: [text(caught.message)] };
          }
          deps.log.error({ err: caught, tool: name }, "MCP tool failed");
          return {
            isError: true,
            content: [text("Something went wrong on our side; the error is in the server log.")],
          };
        }
      }) as never,
    );
  };

  const ZThreadId = z.uuid().describe("The thread's id (from list_threads or a contact)");

  tool(
    "list_threads",
    {
      title: "List conversations",
      description:
        "Conversations (threads), latest message first, with their contact and who has them (bot, human, closed). Pass `next` back as `cursor` for the next page.",
      scope: operation("listThreads").scope,
      readOnly: true,
      inputSchema: {
        mode: z
          .enum(["bot", "human", "closed"])
          .optional()
          .describe("Only threads the bot has, a person has, or closed"),
        cursor: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(200).optional().describe("At most 200 (default 50)"),
      },
    },
    async (args) => asJson(await runOperation("listThreads", { query: args })),
  );

  tool(
    "read_thread",
    {
      title: "Read a conversation",
      description:
        "A conversation's messages: a transcript (oldest first) and the messages as JSON (newest first). Pass `next` back as `before` for older ones.",
      scope: operation("listThreadMessages").scope,
      readOnly: true,
      inputSchema: {
        threadId: ZThreadId,
        before: z.number().int().positive().optional().describe("The `next` of the previous page"),
        limit: z.number().int().min(1).max(200).optional().describe("At most 200 (default 50)"),
      },
    },
    async ({ threadId, ...query }) => {
      const page = (await runOperation("listThreadMessages", { params: { id: threadId }, query })) as {
        messages: Parameters<typeof transcriptOf>[0];
        next: number | null;
      };
      return {
        content: [text(transcriptOf(page.messages)), text(JSON.stringify(page, null, 2))],
      };
    },
  );

  tool(
    "search_contacts",
    {
      title: "Search contacts",
      description:
        "Contacts by name, number or tag, most recent first. Pass `next` back as `cursor` for the next page.",
      scope: operation("listContacts").scope,
      readOnly: true,
      inputSchema: {
        search: z.string().max(100).optional().describe("Name, number or tag"),
        tag: z.string().max(40).optional(),
        cursor: z.string().max(500).optional(),
        limit: z.number().int().min(1).max(200).optional().describe("At most 200 (default 50)"),
      },
    },
    async (args) => asJson(await runOperation("listContacts", { query: args })),
  );

  tool(
    "get_contact",
    {
      title: "Read a contact",
      description: "One contact: number, name, tags, fields, consent, and their conversation's id and mode.",
      scope: "read",
      readOnly: true,
      inputSchema: { contactId: z.uuid().describe("The contact's id (from search_contacts or list_threads)") },
    },
    async ({ contactId }) => {
      const contact = await getContact(deps.db, contactId, { limit: 1 });
      return asJson({
        id: contact.id,
        phone: contact.waId,
        name: contact.name,
        profileName: contact.profileName,
        relationship: contact.relationship,
        tags: contact.tags,
        notes: contact.notes,
        fields: contact.fields,
        identities: contact.identities,
        optedOut: contact.optedOut,
        blocked: contact.blocked,
        lastInteractionAt: contact.lastInteractionAt,
        thread: contact.thread ? { id: contact.thread.id, mode: contact.thread.mode } : null,
      });
    },
  );

  tool(
    "send_message",
    {
      title: "Send a message",
      description:
        "Queues a text message to a number (the contact and thread are created when new), through the number's send queue like every other send. Idempotent: a retry with the same `idempotencyKey` answers the first send and sends nothing.",
      scope: operation("sendMessage").scope,
      readOnly: false,
      inputSchema: {
        to: z.string().max(100).describe("The number (E.164 like +14155550123)"),
        body: z.string().max(4096).describe("The text"),
        sessionId: z.uuid().optional().describe("The number to send from (see get_sessions; default: the first)"),
        idempotencyKey: z
          .string()
          .min(1)
          .max(255)
          .describe("Any unique string per message (a UUID): the same key again sends nothing twice"),
      },
    },
    async ({ idempotencyKey, ...send }) => {
      const request = { to: send.to, body: send.body, ...(send.sessionId ? { sessionId: send.sessionId } : {}) };
      const fingerprint = createHash("sha256")
        .update(`mcp send_message\n${JSON.stringify(request)}`)
        .digest("hex");
      const stored = await answerOnce(
        deps.db,
        { keyId: caller.keyId, key: idempotencyKey.trim(), fingerprint },
        async (tx) => ({ status: 202, body: await runOperation("sendMessage", { body: request }, tx) }),
      );
      if (stored.replayed && !stored.sameRequest) {
        throw new ToolRefusal("This idempotency key was used for another request; use a new key.");
      }
      return asJson({ ...(stored.response.body as object), replayed: stored.replayed });
    },
  );

  tool(
    "hand_off_thread",
    {
      title: "Hand a conversation to a person",
      description: "The bot goes silent in this conversation; it appears in the inbox as needing a human.",
      scope: operation("handOffThread").scope,
      readOnly: false,
      inputSchema: { threadId: ZThreadId, note: z.string().max(500).optional().describe("A note for the person") },
    },
    async ({ threadId, note }) =>
      asJson(await runOperation("handOffThread", { params: { id: threadId }, body: { note: note ?? null } })),
  );

  tool(
    "release_thread",
    {
      title: "Give a conversation back to the bot",
      description: "The bot answers this conversation again.",
      scope: operation("releaseThread").scope,
      readOnly: false,
      inputSchema: { threadId: ZThreadId },
    },
    async ({ threadId }) => asJson(await runOperation("releaseThread", { params: { id: threadId } })),
  );

  tool(
    "get_sessions",
    {
      title: "Read the numbers' status",
      description:
        "The WhatsApp numbers (sessions): status (ready, connecting, disconnected…), number, last error, reconnects, whether a worker runs it, and what its engine can do (contactPresence: whether get_presence can answer).",
      scope: "read",
      readOnly: true,
      inputSchema: {},
    },
    async () => {
      const sessions = await listSessions(deps.db);
      return asJson(
        sessions.map((session) => ({
          id: session.id,
          name: session.name,
          kind: session.kind,
          engine: session.engine.label,
          status: session.status,
          phone: session.phone,
          connectionState: session.connectionState,
          statusChangedAt: session.statusChangedAt,
          lastError: session.lastError,
          reconnectCount: session.reconnectCount,
          running: session.worker !== null,
          capabilities: session.engine.capabilities,
        })),
      );
    },
  );

  tool(
    "get_presence",
    {
      title: "A contact's typing and online status",
      description: `Whether a conversation's contact is typing, recording audio, online, paused or offline, live from WhatsApp. Asks the number's worker and waits up to waitSeconds (default 5, at most ${PRESENCE_MAX_WAIT_S}) for its report: "unknown" when none came in time. supported: false when the number's engine does not report presence.`,
      scope: "read",
      readOnly: true,
      inputSchema: {
        threadId: ZThreadId,
        waitSeconds: z.number().min(0).max(PRESENCE_MAX_WAIT_S).optional(),
      },
    },
    async ({ threadId, waitSeconds }) =>
      asJson(await readContactPresence(deps.db, deps.presence, threadId, (waitSeconds ?? 5) * 1000)),
  );

  server.registerResource(
    "thread-transcript",
    new ResourceTemplate("switchboard://threads/{id}", {
      list: async () => {
        requireScope("read", "listing transcripts");
        const page = (await runOperation("listThreads", { query: { limit: 50 } })) as {
          threads: { id: string; contact: { phone: string; name: string | null } }[];
        };
        return {
          resources: page.threads.map((thread) => ({
            uri: `switchboard://threads/${thread.id}`,
            name: `Conversation with ${thread.contact.name ?? thread.contact.phone}`,
            mimeType: "text/plain",
          })),
        };
      },
    }),
    {
      title: "Conversation transcript",
      description: `A conversation's latest ${TRANSCRIPT_MESSAGES} messages as a text transcript, oldest first.`,
      mimeType: "text/plain",
    },
    async (uri, variables) => {
      requireScope("read", "reading a transcript");
      const id = Array.isArray(variables.id) ? variables.id[0] : variables.id;
      if (!id || !z.uuid().safeParse(id).success) throw new ToolRefusal("There is no such thread.");
      const page = (await runOperation("listThreadMessages", {
        params: { id },
        query: { limit: TRANSCRIPT_MESSAGES },
      })) as { messages: Parameters<typeof transcriptOf>[0] };
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text: transcriptOf(page.messages) }] };
    },
  );

  return server;
}
