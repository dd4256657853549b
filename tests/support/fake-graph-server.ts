import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for Meta's Graph API (the WhatsApp Cloud API) on 127.0.0.1, for the real code
 * (CLOUD_API_BASE_URL / the client's `baseUrl`). It checks each request as Meta documents it —
 * the version and ids in the path, the bearer token, the JSON body of each message type — and
 * answers as Meta does, errors included (`{"error":{"message","type","code","error_subcode",
 * "error_data":{"details"},"fbtrace_id"}}`). It records every request. Tests script failures
 * (`failNext`), register media for downloads (`addMedia`) and templates (`templates`); a browser
 * test in another process does the same through `POST /__control` and reads `GET /__requests`.
 */

export type TFakeGraphNumber = { id: string; display: string; name: string };

export type TFakeGraphError = {
  status: number;
  code: number;
  title: string;
  details?: string;
  subcode?: number;
  type?: string;
};

export type TFakeGraphRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  contentType: string | null;
  /** JSON bodies parsed; multipart bodies as their fields (a file as `{ fileName, mimeType, size, sha256 }`). */
  body: unknown;
  /** The HTTP status it was answered with (200, or the error's). */
  status?: number;
  /** The JSON it was answered with (a sent message's `messages[0].id`, Meta's wamid, is here). */
  response?: unknown;
};

type TStoredMedia = { bytes: Buffer; mimeType: string };

export type TFakeGraphOptions = {
  port?: number;
  accessToken?: string;
  numbers?: TFakeGraphNumber[];
  businessAccountId?: string;
  templates?: Record<string, unknown>[];
};

export const FAKE_GRAPH_DEFAULTS = {
  accessToken: "EAAFakeGraphToken0123456789abcdef",
  number: { id: "106540352242922", display: "+1 415-555-0100", name: "Switchboard Bakery" },
  businessAccountId: "102290129340398",
};

function graphError(error: TFakeGraphError) {
  return {
    error: {
      message: error.title,
      type: error.type ?? "OAuthException",
      code: error.code,
      ...(error.subcode !== undefined ? { error_subcode: error.subcode } : {}),
      ...(error.details ? { error_data: { messaging_product: "whatsapp", details: error.details } } : {}),
      fbtrace_id: `A${randomBytes(8).toString("hex")}`,
    },
  };
}

/** What is wrong with a messages-endpoint body, as Meta's code 100 would say it, or null. */
export function checkMessageBody(body: Record<string, unknown>): string | null {
  if (body.messaging_product !== "whatsapp") return "messaging_product must be whatsapp";
  if (body.status === "read") return typeof body.message_id === "string" ? null : "message_id is required";
  if (typeof body.to !== "string" || !/^\+?\d{6,15}$/.test(body.to)) return "to must be a phone number";
  if (body.recipient_type !== undefined && body.recipient_type !== "individual")
    return "recipient_type must be individual";
  if (body.context !== undefined) {
    const context = body.context as Record<string, unknown>;
    if (typeof context?.message_id !== "string") return "context.message_id is required";
  }
  const type = (body.type as string | undefined) ?? "text";
  const object = body[type] as Record<string, unknown> | undefined;
  if (!object || typeof object !== "object") return `the ${type} object is required`;
  const text = (value: unknown, max: number) => typeof value === "string" && value.length > 0 && value.length <= max;
  switch (type) {
    case "text":
      return text(object.body, 4_096) ? null : "text.body is required (at most 4096 characters)";
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker": {
      if (typeof object.id !== "string" && typeof object.link !== "string")
        return `${type}.id or ${type}.link is required`;
      if (object.caption !== undefined && (type === "audio" || type === "sticker")) return `${type} has no caption`;
      if (object.caption !== undefined && !text(object.caption, 1_024)) return "caption is at most 1024 characters";
      return null;
    }
    case "location":
      return typeof object.latitude === "number" && typeof object.longitude === "number"
        ? null
        : "location.latitude and location.longitude are required";
    case "contacts":
      return Array.isArray(body.contacts) ? null : "contacts must be a list";
    case "reaction":
      return typeof object.message_id === "string" && typeof object.emoji === "string"
        ? null
        : "reaction.message_id and reaction.emoji are required";
    case "interactive": {
      const kind = object.type;
      const bodyText = (object.body as Record<string, unknown> | undefined)?.text;
      if (!text(bodyText, 1_024)) return "interactive.body.text is required (at most 1024 characters)";
      const action = object.action as Record<string, unknown> | undefined;
      if (kind === "button") {
        const buttons = action?.buttons as Record<string, unknown>[] | undefined;
        if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return "1 to 3 buttons";
        for (const button of buttons) {
          const reply = button.reply as Record<string, unknown> | undefined;
          if (button.type !== "reply" || !text(reply?.id, 256) || !text(reply?.title, 20))
            return "each button is {type: reply, reply: {id (≤256), title (≤20)}}";
        }
        return null;
      }
      if (kind === "list") {
        if (!text(action?.button, 20)) return "action.button is required (at most 20 characters)";
        const sections = action?.sections as Record<string, unknown>[] | undefined;
        if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) return "1 to 10 sections";
        let rows = 0;
        for (const section of sections) {
          const list = section.rows as Record<string, unknown>[] | undefined;
          if (!Array.isArray(list) || list.length === 0) return "each section has rows";
          if (sections.length > 1 && !text(section.title, 24)) return "sections need titles when there are several";
          for (const row of list) {
            rows += 1;
            if (!text(row.id, 200) || !text(row.title, 24)) return "each row is {id (≤200), title (≤24)}";
            if (row.description !== undefined && !text(row.description, 72)) return "a row's description is ≤72";
          }
        }
        return rows <= 10 ? null : "at most 10 rows";
      }
      return "interactive.type must be button or list";
    }
    case "template": {
      if (!text(object.name, 512)) return "template.name is required";
      const language = object.language as Record<string, unknown> | undefined;
      if (!text(language?.code, 20)) return "template.language.code is required";
      if (object.components !== undefined && !Array.isArray(object.components)) return "template.components is a list";
      for (const component of (object.components as Record<string, unknown>[] | undefined) ?? []) {
        if (!["header", "body", "button"].includes(component.type as string))
          return "component.type is header, body or button";
        if (component.type === "button") {
          if (!["quick_reply", "url", "copy_code"].includes(component.sub_type as string)) return "button sub_type";
          if (typeof component.index !== "string" && typeof component.index !== "number") return "button index";
        }
        if (!Array.isArray(component.parameters)) return "component.parameters is a list";
        for (const parameter of component.parameters as Record<string, unknown>[]) {
          const kind = parameter.type as string;
          if (kind === "text" ? typeof parameter.text !== "string" : !(kind in parameter))
            return `a ${kind} parameter needs its ${kind}`;
        }
      }
      return null;
    }
    default:
      return `Unsupported message type ${type}`;
  }
}

async function readBody(request: IncomingMessage, limit = 120 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The fields of a multipart/form-data body (enough of RFC 7578 for what clients send). */
function parseMultipart(body: Buffer, contentType: string): Record<string, unknown> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const fields: Record<string, unknown> = {};
  if (!boundary) return fields;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? "";
    const fileName = /filename="([^"]*)"/i.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
    fields[name] =
      fileName !== undefined
        ? {
            fileName,
            mimeType: type ?? "application/octet-stream",
            size: content.length,
            sha256: createHash("sha256").update(content).digest("hex"),
            bytes: Buffer.from(content),
          }
        : content.toString("utf8");
    start = next;
  }
  return fields;
}

export async function createFakeGraph(options: TFakeGraphOptions = {}) {
  let accessToken = options.accessToken ?? FAKE_GRAPH_DEFAULTS.accessToken;
  const numbers = new Map((options.numbers ?? [FAKE_GRAPH_DEFAULTS.number]).map((number) => [number.id, number]));
  const businessAccountId = options.businessAccountId ?? FAKE_GRAPH_DEFAULTS.businessAccountId;
  let templates = options.templates ?? [];
  const requests: TFakeGraphRequest[] = [];
  const failures: TFakeGraphError[] = [];
  const media = new Map<string, TStoredMedia>();
  let counter = 0;
  let url = "";

  const answered = new WeakMap<ServerResponse, TFakeGraphRequest>();
  const send = (response: ServerResponse, status: number, body: unknown) => {
    const recorded = answered.get(response);
    if (recorded) {
      recorded.status = status;
      recorded.response = body;
    }
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const refuse = (response: ServerResponse, error: TFakeGraphError) => send(response, error.status, graphError(error));
  const invalid = (response: ServerResponse, details: string) =>
    refuse(response, { status: 400, code: 100, title: "Invalid parameter", details });

  const addMedia = (bytes: Buffer, mimeType: string): string => {
    const id = String(1_000_000_000_000 + (counter += 1));
    media.set(id, { bytes, mimeType });
    return id;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const parsed = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = parsed.pathname;
    const raw = await readBody(request);
    const contentType = request.headers["content-type"] ?? null;
    let body: unknown = null;
    if (contentType?.startsWith("application/json")) {
      try {
        body = JSON.parse(raw.toString("utf8") || "null");
      } catch {
        return invalid(response, "the body is not JSON");
      }
    } else if (contentType?.startsWith("multipart/form-data")) {
      body = parseMultipart(raw, contentType);
    }
    // Controls from a test in another process.
    if (path === "/__control" && request.method === "POST") {
      const control = body as {
        failNext?: TFakeGraphError[];
        templates?: Record<string, unknown>[];
        accessToken?: string;
        /** More phone numbers the fake knows (beside the ones it was created with). */
        numbers?: TFakeGraphNumber[];
        /** A file to download: its bytes (base64) and type; the answer carries its media id. */
        addMedia?: { base64: string; mimeType: string };
      };
      if (control.failNext) failures.push(...control.failNext);
      if (control.templates) templates = control.templates;
      if (control.accessToken) accessToken = control.accessToken;
      for (const number of control.numbers ?? []) numbers.set(number.id, number);
      const mediaId = control.addMedia
        ? addMedia(Buffer.from(control.addMedia.base64, "base64"), control.addMedia.mimeType)
        : undefined;
      return send(response, 200, { ok: true, ...(mediaId ? { mediaId } : {}) });
    }
    if (path === "/__requests" && request.method === "GET") {
      return send(response, 200, requests);
    }
    const authorization = request.headers.authorization ?? null;
    const recorded: TFakeGraphRequest = {
      method: request.method ?? "GET",
      path,
      query: Object.fromEntries(parsed.searchParams),
      authorization,
      contentType,
      body:
        body && typeof body === "object" && !Array.isArray(body)
          ? Object.fromEntries(
              Object.entries(body).map(([key, value]) => [
                key,
                value && typeof value === "object" && "bytes" in value ? { ...value, bytes: undefined } : value,
              ]),
            )
          : body,
    };
    requests.push(recorded);
    answered.set(response, recorded);
    if (authorization !== `Bearer ${accessToken}`) {
      return refuse(response, {
        status: 401,
        code: 190,
        title: authorization
          ? "Invalid OAuth access token - Cannot parse access token"
          : "An active access token must be used to query information about the current user.",
      });
    }
    // Media downloads: the URL the media endpoint handed out (Meta's lookaside host), with the token.
    const download = /^\/__media\/(\d+)$/.exec(path);
    if (download && request.method === "GET") {
      const stored = media.get(download[1]!);
      if (!stored) return send(response, 404, "Not found");
      response
        .writeHead(200, { "content-type": stored.mimeType, "content-length": stored.bytes.length })
        .end(stored.bytes);
      return;
    }
    const match = /^\/(v\d{1,3}\.\d)\/([^/]+)(?:\/([a-z_]+))?$/.exec(path);
    if (!match) return refuse(response, { status: 400, code: 2500, title: "Unknown path components" });
    const [, , objectId, edge] = match;
    const failure = failures.shift();
    if (failure) return refuse(response, failure);

    if (edge === undefined && request.method === "GET") {
      const number = numbers.get(objectId!);
      if (number) {
        return send(response, 200, {
          verified_name: number.name,
          display_phone_number: number.display,
          id: number.id,
          quality_rating: "GREEN",
          code_verification_status: "VERIFIED",
          platform_type: "CLOUD_API",
        });
      }
      const stored = media.get(objectId!);
      if (stored) {
        return send(response, 200, {
          messaging_product: "whatsapp",
          url: `${url}/__media/${objectId}`,
          mime_type: stored.mimeType,
          sha256: createHash("sha256").update(stored.bytes).digest("hex"),
          file_size: stored.bytes.length,
          id: objectId,
        });
      }
      return refuse(response, {
        status: 400,
        code: 100,
        subcode: 33,
        title: `Unsupported get request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: "GraphMethodException",
      });
    }
    if (edge === "message_templates" && request.method === "GET") {
      if (objectId !== businessAccountId)
        return refuse(response, {
          status: 400,
          code: 100,
          subcode: 33,
          title: `Unsupported get request. Object with ID '${objectId}' does not exist.`,
        });
      const limit = Math.min(Number(parsed.searchParams.get("limit") ?? 25) || 25, 100);
      const after = Number(parsed.searchParams.get("after") ?? 0) || 0;
      const page = templates.slice(after, after + limit);
      const nextAfter = after + page.length;
      return send(response, 200, {
        data: page,
        paging: {
          cursors: { before: String(after), after: String(nextAfter) },
          ...(nextAfter < templates.length ? { next: `${url}${path}?limit=${limit}&after=${nextAfter}` } : {}),
        },
      });
    }
    if (!numbers.has(objectId!))
      return refuse(response, {
        status: 400,
        code: 100,
        subcode: 33,
        title: `Unsupported post request. Object with ID '${objectId}' does not exist.`,
      });
    if (edge === "messages" && request.method === "POST") {
      if (!body || typeof body !== "object") return invalid(response, "the body must be JSON");
      const problem = checkMessageBody(body as Record<string, unknown>);
      if (problem) return invalid(response, problem);
      const message = body as Record<string, unknown>;
      if (message.status === "read") return send(response, 200, { success: true });
      const id = `wamid.${Buffer.from(`fake-${(counter += 1)}-${randomBytes(6).toString("hex")}`).toString("base64url")}`;
      const to = String(message.to).replace(/^\+/, "");
      return send(response, 200, {
        messaging_product: "whatsapp",
        contacts: [{ input: message.to, wa_id: to }],
        messages: [{ id, ...(message.type === "template" ? { message_status: "accepted" } : {}) }],
      });
    }
    if (edge === "media" && request.method === "POST") {
      const fields = (body ?? {}) as Record<string, unknown>;
      const file = fields.file as { mimeType: string; bytes: Buffer } | undefined;
      if (fields.messaging_product !== "whatsapp") return invalid(response, "messaging_product must be whatsapp");
      if (!file || typeof file !== "object") return invalid(response, "file is required");
      if (typeof fields.type !== "string" || fields.type !== file.mimeType)
        return invalid(response, "type must be the file's type");
      return send(response, 200, { id: addMedia(file.bytes, file.mimeType) });
    }
    return refuse(response, { status: 400, code: 100, title: `Unsupported ${request.method?.toLowerCase()} request.` });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, graphError({ status: 500, code: 1, title: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Stops by itself if a test forgets it.
  const timer = setTimeout(() => server.close(), 30 * 60_000);
  timer.unref();

  return {
    url,
    accessToken: () => accessToken,
    numbers: [...numbers.values()],
    businessAccountId,
    requests,
    /** The messages-endpoint bodies that were accepted (answered 200), in order. */
    sent: () =>
      requests
        .filter((request) => request.method === "POST" && request.path.endsWith("/messages") && request.status === 200)
        .map((request) => request.body as Record<string, unknown>)
        .filter((body) => checkMessageBody(body) === null && body.status !== "read"),
    media,
    addMedia,
    /** The next requests to Graph paths fail with these errors, one each, in order. */
    failNext: (...errors: TFakeGraphError[]) => failures.push(...errors),
    setTemplates: (list: Record<string, unknown>[]) => (templates = list),
    setAccessToken: (token: string) => (accessToken = token),
    close: async () => {
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type TFakeGraph = Awaited<ReturnType<typeof createFakeGraph>>;

/** Meta's documented examples of templates (GET /{waba-id}/message_templates), for tests. */
export const EXAMPLE_TEMPLATES: Record<string, unknown>[] = [
  {
    name: "order_update",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    id: "1234567890123456",
    components: [
      { type: "HEADER", format: "TEXT", text: "Order {{1}}" },
      { type: "BODY", text: "Hi {{1}}, your order {{2}} is on its way and arrives {{3}}." },
      { type: "FOOTER", text: "Reply STOP to opt out" },
      {
        type: "BUTTONS",
        buttons: [
          { type: "URL", text: "Track it", url: "https://shop.example/track/{{1}}" },
          { type: "QUICK_REPLY", text: "Talk to us" },
        ],
      },
    ],
  },
  {
    name: "hello_world",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    id: "1234567890123457",
    components: [
      { type: "HEADER", format: "TEXT", text: "Hello World" },
      {
        type: "BODY",
        text: "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta.",
      },
      { type: "FOOTER", text: "WhatsApp Business Platform sample message" },
    ],
  },
  {
    name: "menu_photo",
    language: "pt_BR",
    status: "APPROVED",
    category: "MARKETING",
    id: "1234567890123458",
    components: [
      { type: "HEADER", format: "IMAGE" },
      { type: "BODY", text: "Olá {{1}}, veja o cardápio desta semana." },
    ],
  },
  {
    name: "spring_sale",
    language: "en_US",
    status: "REJECTED",
    category: "MARKETING",
    id: "1234567890123459",
    components: [{ type: "BODY", text: "Everything 20% off this weekend!" }],
  },
];
