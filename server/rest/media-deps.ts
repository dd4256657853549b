import type { TDbOrTx } from "~/db/client";
import { intakeMedia } from "~/server/media/intake";
import { largestLimit, maxBytesOf, type TMediaLimits } from "~/server/media/limits";
import type { TMediaStore } from "~/server/media/store";
import { signedMediaLinks } from "~/server/media/urls";
import type { TRestMedia } from "./media";

/**
 * The REST API's media dependencies from their parts: the intake into `store` with `limits`,
 * links signed with APP_SECRET for `ttlS` seconds, and how media URLs are fetched. The route
 * builds it from the web's configuration; tests build it with their own store and limits.
 */
export function createRestMedia(options: {
  db: TDbOrTx;
  store: TMediaStore;
  limits: TMediaLimits;
  /** APP_SECRET: the same key signs the dashboard's, the API's and the webhooks' links. */
  secret: string;
  /** MEDIA_URL_TTL_S. */
  ttlS: number;
  /** NEXTAUTH_URL, when set: the origin of every link (else the request's own). */
  publicOrigin?: string;
  allowPrivate: boolean;
  fetchTimeoutMs: number;
}): TRestMedia {
  return {
    intake: (source, expect) => intakeMedia(options.db, options.store, source, expect, options.limits),
    links: (media, origin) => signedMediaLinks(media, { secret: options.secret, ttlS: options.ttlS, origin }),
    ...(options.publicOrigin ? { publicOrigin: options.publicOrigin } : {}),
    maxBytes: (kind) => (kind ? maxBytesOf(kind, options.limits) : largestLimit(options.limits)),
    allowPrivate: options.allowPrivate,
    fetchTimeoutMs: options.fetchTimeoutMs,
  };
}
