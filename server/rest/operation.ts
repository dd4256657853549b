import type { PgBoss } from "pg-boss";
import type { z } from "zod";
import type { TDb, TTx } from "~/db/client";
import type { TApiScope } from "~/db/schema";
import type { TMediaLinker } from "~/server/media/public-content";
import type { TMediaKind } from "~/server/messages/content";
import type { TApiCaller } from "./api-keys";
import type { TRestIntakeResult } from "./media";

/**
 * One REST operation, defined once: its route, its zod schemas (which validate the request and
 * generate the OpenAPI document) and its handler, whose inputs are typed by those schemas.
 */

/** An answer with another status than the operation's usual one (201 for a created contact); it must be in the operation's `otherStatuses`. */
export class ApiAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** What the request handler gives every operation besides its inputs. */
export type TRunContext = {
  db: TDb;
  boss: () => Promise<PgBoss>;
  caller: TApiCaller;
  /** Signed links for media in the answer (null when the API has no media store wired). */
  linker: TMediaLinker | null;
};

/**
 * What a handler receives: its path parameters, query and body as its own schemas parse them
 * (`undefined` for a part it declares no schema for), and, for an idempotent operation, the
 * transaction its answer is stored in.
 */
export type TOperationContext<TParams, TQuery, TBody> = TRunContext & { params: TParams; query: TQuery; body: TBody };

/** The output of an optional schema: `undefined` when the operation declares none. */
type TParsed<TSchema> = TSchema extends z.ZodType ? z.output<TSchema> : undefined;

type TOperationMeta = {
  method: "get" | "post" | "put";
  /** OpenAPI path under /api/v1, `{name}` for parameters. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: TApiScope;
  /** The usual success status, and what it means. */
  status: number;
  statusDescription?: string;
  /** Other success statuses an `ApiAnswer` may carry (same body schema), with what each means. */
  otherStatuses?: Record<number, string>;
  /** What an error status means for this operation, where it says more than the API's usual words. */
  errors?: Partial<Record<"400" | "404" | "409", string>>;
  response: z.ZodType;
  /**
   * An operation that takes a file: as `multipart/form-data` (text fields first, then one part
   * named `file`, streamed through the media intake; `shape` turns the fields and the stored
   * file into the body `body` validates), or, with `url`, as JSON whose `media.url` is fetched
   * and stored before the body is validated again. `multipartOnly`: JSON is refused.
   */
  media?: {
    shape: (fields: Record<string, string>, file: TRestIntakeResult & { requestedKind?: TMediaKind }) => unknown;
    /** The form fields, documented as the multipart request body (`file` is added). */
    fields: z.ZodObject;
    url?: boolean;
    multipartOnly?: boolean;
  };
};

type TOperationSchemas<TParams, TQuery, TBody> = {
  params?: TParams;
  query?: TQuery;
  body?: TBody;
};

/** How a handler runs: in the request's transaction when the operation is idempotent (its answer is stored in it). */
type TOperationHandler<TContext> =
  | { idempotent?: false; handle: (context: TContext) => Promise<unknown> }
  | {
      /** The request must carry an `Idempotency-Key`; a repeat gets the first answer. */
      idempotent: true;
      handle: (context: TContext & { tx: TTx }) => Promise<unknown>;
    };

export type TOperationDefinition<
  TParams extends z.ZodObject | undefined,
  TQuery extends z.ZodObject | undefined,
  TBody extends z.ZodType | undefined,
> = TOperationMeta &
  TOperationSchemas<TParams, TQuery, TBody> &
  TOperationHandler<TOperationContext<TParsed<TParams>, TParsed<TQuery>, TParsed<TBody>>>;

/** The part of a request an input came from, as error messages name it. */
export type TInputPart = "path" | "query" | "body";

/** A request's inputs before validation: path parameters and query as strings, the body as parsed JSON. */
export type TRawInputs = { params: Record<string, string>; query: Record<string, string>; body: unknown };

/**
 * A request's inputs checked against the operation's schemas: the handler bound to the parsed
 * values, ready to run; or the first part that failed, with zod's issues.
 */
export type TAcceptedInputs =
  | { ok: true; run: (context: TRunContext & { tx: TTx | null }) => Promise<unknown> }
  | { ok: false; where: TInputPart; issues: z.core.$ZodIssue[] };

/** An operation as the request handler, the OpenAPI document and the tests see it, whatever its input types. */
export type TOperation = TOperationMeta &
  TOperationSchemas<z.ZodObject, z.ZodObject, z.ZodType> & {
    idempotent: boolean;
    /** Validates raw inputs with the operation's own schemas (path, then query, then body). */
    accept: (raw: TRawInputs) => TAcceptedInputs;
  };

type TPartResult<TValue> = { ok: true; value: TValue } | { ok: false; issues: z.core.$ZodIssue[] };

function parsePart<TSchema extends z.ZodType | undefined>(
  /** Absent when the operation declares no schema for the part (then `TSchema` is `undefined`). */
  schema: TSchema | undefined,
  value: unknown,
): TPartResult<TParsed<TSchema>> {
  if (!schema) return { ok: true, value: undefined as TParsed<TSchema> };
  const parsed = schema.safeParse(value);
  // TypeScript does not narrow a conditional type through a check on its generic (`schema ?`):
  // this function is the one place that knows a declared schema's output is `TParsed`.
  return parsed.success
    ? { ok: true, value: parsed.data as TParsed<TSchema> }
    : { ok: false, issues: parsed.error.issues };
}

/**
 * Defines an operation: the handler's `params`, `query` and `body` are inferred from the
 * schemas beside it (and an idempotent one gets `tx`), so no call site casts its inputs.
 */
export function defineOperation<
  TParams extends z.ZodObject | undefined = undefined,
  TQuery extends z.ZodObject | undefined = undefined,
  TBody extends z.ZodType | undefined = undefined,
>(definition: TOperationDefinition<TParams, TQuery, TBody>): TOperation {
  const { idempotent, handle, ...meta } = definition;
  const accept = (raw: TRawInputs): TAcceptedInputs => {
    const params = parsePart<TParams>(definition.params, raw.params);
    if (!params.ok) return { ok: false, where: "path", issues: params.issues };
    const query = parsePart<TQuery>(definition.query, raw.query);
    if (!query.ok) return { ok: false, where: "query", issues: query.issues };
    const body = parsePart<TBody>(definition.body, raw.body);
    if (!body.ok) return { ok: false, where: "body", issues: body.issues };
    const inputs = { params: params.value, query: query.value, body: body.value };
    if (!idempotent) return { ok: true, run: ({ tx: _tx, ...context }) => handle({ ...context, ...inputs }) };
    return {
      ok: true,
      run: ({ tx, ...context }) => {
        if (!tx)
          return Promise.reject(new Error(`${meta.operationId} is idempotent: it runs in the request's transaction`));
        return handle({ ...context, ...inputs, tx });
      },
    };
  };
  return { ...meta, idempotent: idempotent === true, accept };
}
