import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { TDb } from "~/db/client";
import type { TGeminiConfig } from "~/server/ai/models";
import type { TWebhookAdminConfig } from "~/server/webhooks/endpoints";
import type { PgBoss } from "pg-boss";
import { canAccess, type TAccessLevel, type TResource, type TSessionUser } from "~/server/auth/roles";
import { AppError } from "~/server/errors";
import { DEFAULT_LOCALE, type TLocale } from "~/server/i18n/locales";
import { describeIssue, describeIssues, describeRoleRefusal, errorTranslator } from "~/server/i18n/validation";
import {
  describeUnstorableText,
  fieldLabel,
  findUnstorableText,
  RESERVED_KEYS,
  unstorableTextMessage,
} from "~/server/lib/storable-text";

/**
 * What every procedure receives: who is calling (`user` is null when nobody is signed in), and
 * the web process's dependencies, all of them always present. Built by `createTRPCContext`
 * (server/api/context.ts) for a request, and by `testContext()` in tests.
 */
export type TTRPCContext = {
  db: TDb;
  /** The pg-boss client that sends jobs, started on first use (most requests send none). */
  boss: () => Promise<PgBoss>;
  user: TSessionUser | null;
  /**
   * The browser session behind the request, or null (signed out; a caller without a session):
   * its id, and whether the user must set up two-factor sign-in before anything else.
   */
  session: { id: string; needsTwoFactorEnrolment: boolean } | null;
  /**
   * The language of the person calling, for the messages the server writes to them (validation,
   * refusals): their choice, else the sign-in page's cookie, else their browser's.
   */
  locale: TLocale;
  /** The client's address (login throttling of step-up checks), or null when unknown. */
  clientIp: string | null;
  /** APP_SECRET, for secrets encrypted at rest (TOTP). */
  appSecret: string;
  /** Gemini as this deployment configures it (GEMINI_*), or null: the offline provider answers. */
  gemini: TGeminiConfig | null;
  /** Managing webhook endpoints: APP_SECRET for their secrets, the SSRF policy. */
  webhooks: TWebhookAdminConfig;
  /**
   * Meta's Graph API as this deployment reaches it (CLOUD_API_BASE_URL; unset: Meta's), and the
   * public origin Meta's webhooks are sent to (NEXTAUTH_URL's; null: the browser's own).
   */
  cloudApi: { baseUrl?: string; publicOrigin: string | null };
};

/**
 * Who may call a procedure. Every procedure declares one; the authorization matrix test
 * fails for a procedure that does not.
 */
export type TProcedureAccess =
  { kind: "public" } | { kind: "signed-in" } | { kind: "role"; resource: TResource; level: TAccessLevel };
export type TProcedureMeta = {
  access?: TProcedureAccess;
  /** Callable by a user who must set up two-factor sign-in first (the set-up itself). */
  allowDuringEnrolment?: boolean;
};

const t = initTRPC
  .context<TTRPCContext>()
  .meta<TProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error, ctx }) {
      // Validation and the fixed refusals in the caller's language, each field named as the form
      // shows it; a message the schema or the domain wrote itself comes from the catalogue's
      // `domain` namespace when it is there (server/i18n/domain.ts), else as written.
      const locale = ctx?.locale ?? DEFAULT_LOCALE;
      const t = errorTranslator(locale);
      const cause = error.cause;
      const fields =
        cause instanceof ZodError
          ? cause.issues.map((issue) => [issue.path.join(".") || "input", describeIssue(t, issue)] as const)
          : cause instanceof AppError && cause.fieldErrors
            ? Object.entries(cause.localized(locale).fieldErrors ?? {})
            : undefined;
      // superjson refuses to send an object with a key such as "constructor": such a field is
      // named by its path under "input".
      const fieldErrors =
        fields &&
        Object.fromEntries(fields.map(([key, message]) => [RESERVED_KEYS.has(key) ? `input.${key}` : key, message]));
      const message =
        error.code === "INTERNAL_SERVER_ERROR"
          ? t("internal")
          : cause instanceof ZodError
            ? describeIssues(t, cause.issues)
            : cause instanceof AppError
              ? cause.localized(locale).message
              : shape.message;
      // Never send a stack trace to the browser.
      return {
        ...shape,
        message,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, fieldErrors },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain code throws `AppError`; here it becomes the tRPC error of the same code. */
const baseProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

/**
 * Refuses an input holding text Postgres cannot store (a NUL character, a lone UTF-16
 * surrogate) anywhere, keys included, before the procedure's own schema runs: every procedure
 * gets it from the builders below, so a new one cannot forget it. The message names the field
 * as the form shows it; `fieldErrors` is keyed by its path, like zod's.
 */
const refuseUnstorableText = t.middleware(async ({ getRawInput, next }) => {
  const found = findUnstorableText(await getRawInput());
  if (found) {
    throw new AppError("BAD_REQUEST", unstorableTextMessage(fieldLabel(found.path), found), {
      [found.path.join(".") || "input"]: describeUnstorableText(found),
    });
  }
  return next();
});

/** Anyone, signed in or not. */
export const publicProcedure = baseProcedure.use(refuseUnstorableText).meta({ access: { kind: "public" } });

const signedInBase = baseProcedure.use(({ ctx, meta, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: errorTranslator(ctx.locale)("signInFirst") });
  if (ctx.session?.needsTwoFactorEnrolment && !meta?.allowDuringEnrolment) {
    throw new TRPCError({ code: "FORBIDDEN", message: errorTranslator(ctx.locale)("twoFactorFirst") });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Any signed-in user, whatever the role (their own profile, say). */
export const signedInProcedure = signedInBase.use(refuseUnstorableText).meta({ access: { kind: "signed-in" } });

/**
 * Any signed-in user, including one who must set up two-factor sign-in before anything else:
 * only for that set-up (and `auth.me`).
 */
export const enrolmentProcedure = signedInBase
  .use(refuseUnstorableText)
  .meta({ access: { kind: "signed-in" }, allowDuringEnrolment: true });

/**
 * Callable by the roles that the role table (`server/auth/roles.ts`) grants `level` on
 * `resource`. Runs before input validation, so a refused caller learns nothing from it.
 */
export function requireAccess(resource: TResource, level: TAccessLevel) {
  return signedInBase
    .meta({ access: { kind: "role", resource, level } })
    .use(({ ctx, next }) => {
      if (!canAccess(ctx.user.role, resource, level)) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: describeRoleRefusal(
            errorTranslator(ctx.locale),
            ctx.user.role,
            resource,
            level === "write" ? "write" : "read",
          ),
        });
      }
      return next();
    })
    .use(refuseUnstorableText);
}
