import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import type { TDbOrTx } from "~/db/client";
import { canAccess, type TSessionUser } from "~/server/auth/roles";
import { domainText, serverText, type TServerText } from "~/server/i18n/domain";
import type { TLocale } from "~/server/i18n/locales";
import type { Logger } from "~/server/logger";
import { isMediaKind, type TMediaKind } from "~/server/messages/content";
import { checkSameOrigin } from "~/server/security/same-origin";
import type { TOriginConfig } from "~/server/security/request-origin";
import { intakeMedia, MediaRefusedError, MediaRemovedMeanwhileError, mediaRefOf, type TIntakeResult } from "./intake";
import { formatLimit, largestLimit, maxBytesOf, type TMediaLimits } from "./limits";
import type { TMediaStore } from "./store";
import { signedMediaLinks, type TMediaLinks } from "./urls";

/**
 * `POST /api/media/uploads?kind=<kind|auto>`: a signed-in staff member's file, as the raw request
 * body (`Content-Type`: what it claims to be; `X-File-Name`: its name, URI-encoded), streamed
 * through `intakeMedia` into the store. What the composer, the Simulator and the media library
 * upload through; the REST API has its own door (bearer keys). Same-origin only (the session
 * cookie would ride along on a request from any site); any role that may reply (agent and up).
 */

export type TUploadDeps = {
  db: TDbOrTx;
  store: TMediaStore;
  limits: TMediaLimits;
  /** APP_SECRET, for the links in the answer. */
  secret: string;
  ttlS: number;
  originConfig: TOriginConfig;
  /** The signed-in user, or null. */
  currentUser: () => Promise<TSessionUser | null>;
  /** The reader's language. */
  locale: () => Promise<TLocale>;
  logger?: Pick<Logger, "warn" | "error">;
  /** Headers every answer carries (the app's security headers). */
  baseHeaders?: Record<string, string>;
};

/** What a successful upload answers (201). */
export type TUploadResponse = {
  sha256: string;
  kind: TMediaKind;
  mimeType: string;
  size: number;
  fileName?: string;
  width?: number;
  height?: number;
  links: TMediaLinks;
};

const STATUS_OF_REFUSAL: Record<MediaRefusedError["code"], number> = {
  too_large: 413,
  type_mismatch: 415,
  unsupported_type: 415,
  empty: 400,
};

/** The reader's words for a refusal (catalogue `domain.mediaIntake`). */
export function refusalText(error: MediaRefusedError): TServerText {
  const { kind = "document", limit = "", claimed, real = "" } = error.values;
  switch (error.code) {
    case "too_large":
      return serverText("mediaIntake.tooLarge", { kind, limit });
    case "type_mismatch":
      return claimed
        ? serverText("mediaIntake.typeMismatch", { claimed, real })
        : serverText("mediaIntake.wrongKind", { kind, real });
    case "unsupported_type":
      return serverText("mediaIntake.unsupportedType", { real });
    case "empty":
      return serverText("mediaIntake.empty");
  }
}

function fileNameOf(header: string | null): string | undefined {
  if (!header) return undefined;
  try {
    return decodeURIComponent(header).slice(0, 1_000) || undefined;
  } catch {
    return header.slice(0, 1_000) || undefined;
  }
}

export async function handleMediaUpload(request: Request, deps: TUploadDeps): Promise<Response> {
  const headers = { ...deps.baseHeaders, "cache-control": "no-store" };
  const fail = async (status: number, code: string, text: TServerText, detail?: string) => {
    const message = domainText(await deps.locale(), text);
    return Response.json({ error: { code, message, ...(detail ? { detail } : {}) } }, { status, headers });
  };

  const origin = checkSameOrigin(request, deps.originConfig);
  if (!origin.ok) return fail(403, "forbidden", serverText("mediaIntake.crossSite"), origin.reason);
  const user = await deps.currentUser();
  if (!user) return fail(401, "unauthorized", serverText("mediaIntake.signIn"));
  if (!canAccess(user.role, "inbox", "write")) return fail(403, "forbidden", serverText("mediaIntake.notAllowed"));

  const kindParam = new URL(request.url).searchParams.get("kind") ?? "auto";
  if (kindParam !== "auto" && !isMediaKind(kindParam)) {
    return fail(400, "bad_request", serverText("mediaIntake.chooseKind"));
  }
  const kind = kindParam === "auto" ? undefined : kindParam;
  if (!request.body) return fail(400, "bad_request", serverText("mediaIntake.noBody"));
  const limit = kind ? maxBytesOf(kind, deps.limits) : largestLimit(deps.limits);
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) {
    // Refused before a byte is read: the browser learns at once, the store sees nothing.
    return fail(
      413,
      "too_large",
      serverText("mediaIntake.tooLarge", { kind: kind ?? "document", limit: formatLimit(limit) }),
      `the file is ${declared} bytes; the limit is ${limit}`,
    );
  }

  let result: TIntakeResult;
  try {
    const source = Readable.fromWeb(request.body as NodeWebReadableStream<Uint8Array>);
    result = await intakeMedia(
      deps.db,
      deps.store,
      source,
      {
        kind,
        claimedMimeType: request.headers.get("content-type") ?? undefined,
        fileName: fileNameOf(request.headers.get("x-file-name")),
      },
      deps.limits,
      { logger: deps.logger },
    );
  } catch (error) {
    if (error instanceof MediaRefusedError) {
      return fail(STATUS_OF_REFUSAL[error.code], error.code, refusalText(error), error.detail);
    }
    // Retention removed the same file as it arrived: nothing is wrong with it; sending it again works.
    if (error instanceof MediaRemovedMeanwhileError) return fail(503, "retry", serverText("mediaIntake.notStored"));
    deps.logger?.error({ err: error, userId: user.id }, "an upload could not be stored");
    return fail(500, "internal", serverText("mediaIntake.notStored"));
  }

  const links = signedMediaLinks(mediaRefOf(result), { secret: deps.secret, ttlS: deps.ttlS });
  const body: TUploadResponse = {
    sha256: result.sha256,
    kind: result.kind,
    mimeType: result.mimeType,
    size: result.size,
    ...(result.fileName ? { fileName: result.fileName } : {}),
    ...(result.width !== undefined ? { width: result.width } : {}),
    ...(result.height !== undefined ? { height: result.height } : {}),
    links: links!,
  };
  return Response.json(body, { status: 201, headers });
}
