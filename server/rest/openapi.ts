import { z } from "zod";
import { createDocument } from "zod-openapi";
import type { TOperation } from "./operation";
import { OPERATIONS, ZApiError } from "./operations";

const ERRORS = {
  "400": "The request is not valid: `error.fields` names each problem",
  "401": "No API key, an unknown one, or a revoked one",
  "403": "The key lacks the scope this operation needs",
  "404": "Not found",
  "409": "Conflicts with the current state (a blocked contact, an opted-out one…)",
  "413": "The body is larger than 1 MB",
  "415": "The body is not sent as `content-type: application/json`",
  "422": "The Idempotency-Key was used before for another request",
  "429": "Over the key's rate limit: wait `Retry-After` seconds",
} as const;

/** What the errors mean for an operation that takes a file. */
const MEDIA_ERRORS = {
  "413": "The file is larger than its kind allows (or a JSON body larger than 1 MB): `error.message` says the limit",
  "415":
    "The file's content is not what `kind` needs, or a type WhatsApp cannot send; or the body is neither JSON nor multipart/form-data",
  "422":
    "The Idempotency-Key was used before for another request; or the media URL could not be fetched (unreachable, an HTTP error there, too slow: `error.message` says which)",
  "503": "This server has no media store configured",
} as const;

/** The request bodies of an operation: JSON, and multipart/form-data for one that takes a file. */
function requestBodyOf(operation: TOperation) {
  if (!operation.body) return {};
  const content: Record<string, unknown> = {};
  if (!operation.media?.multipartOnly) content["application/json"] = { schema: operation.body };
  if (operation.media) {
    content["multipart/form-data"] = {
      schema: operation.media.fields.extend({
        file: z.string().meta({
          description: "The file: ONE part, after every text field (its filename and Content-Type are only claims)",
          format: "binary",
        }),
      }),
    };
  }
  return { requestBody: { required: true, content } };
}

let cached: ReturnType<typeof createDocument> | undefined;

/** The OpenAPI 3.1 document of /api/v1, generated from the operations' own zod schemas. */
export function openApiDocument() {
  cached ??= createDocument({
    openapi: "3.1.0",
    info: {
      title: "Switchboard API",
      version: "1.0.0",
      description:
        "Send messages, read their status, manage contacts and threads. Authenticate with an API key (created by an admin on the API page) as `Authorization: Bearer sb_…`. Read operations need the `read` scope, the others `write`. Each key may make a limited number of requests per minute; over it, the answer is 429 with `Retry-After`.",
    },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A Switchboard API key, sb_…" } },
    },
    security: [{ apiKey: [] }],
    paths: Object.fromEntries(
      Object.entries(Object.groupBy(OPERATIONS, (operation) => operation.path)).map(([path, operations]) => [
        path,
        Object.fromEntries(
          (operations ?? []).map((operation) => [
            operation.method,
            {
              operationId: operation.operationId,
              summary: operation.summary,
              ...(operation.description ? { description: operation.description } : {}),
              tags: [operation.tag],
              "x-scope": operation.scope,
              requestParams: {
                ...(operation.params ? { path: operation.params } : {}),
                ...(operation.query ? { query: operation.query } : {}),
              },
              ...(operation.idempotent
                ? {
                    parameters: [
                      {
                        name: "Idempotency-Key",
                        in: "header" as const,
                        required: true,
                        description: "Up to 255 characters; a repeat with the same key gets the first answer.",
                        schema: { type: "string" as const, maxLength: 255 },
                      },
                    ],
                  }
                : {}),
              ...requestBodyOf(operation),
              responses: {
                ...Object.fromEntries(
                  [
                    [operation.status, operation.statusDescription ?? "OK"] as const,
                    ...Object.entries(operation.otherStatuses ?? {}),
                  ].map(([status, description]) => [
                    String(status),
                    { description, content: { "application/json": { schema: operation.response } } },
                  ]),
                ),
                ...Object.fromEntries(
                  Object.entries({ ...ERRORS, ...(operation.media ? MEDIA_ERRORS : {}), ...operation.errors })
                    // Only an operation with a body can be refused for its size or content type.
                    .filter(([status]) => (status !== "413" && status !== "415") || operation.body)
                    .map(([status, description]) => [
                      status,
                      { description, content: { "application/json": { schema: ZApiError } } },
                    ]),
                ),
              },
            },
          ]),
        ),
      ]),
    ),
  });
  return cached;
}
