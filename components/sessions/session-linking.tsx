import { useTranslations } from "next-intl";
import { engineCan } from "~/server/sessions/engine-capabilities";
import type { TSession } from "./session-labels";
import { SessionPairingCode } from "./session-pairing-code";
import { SessionQr } from "./session-qr";

/**
 * Where a number of an engine that pairs by QR code stands on its way to being linked: the QR
 * code while WhatsApp waits for a scan, otherwise a sentence on what happens next; for an engine
 * that also (or only) pairs by a code typed on the phone, the way to ask for one and the code.
 * Nothing once it is connected, nor for an engine with nothing to pair.
 */
export function SessionLinking({ session, canWrite }: { session: TSession; canWrite: boolean }) {
  const t = useTranslations("sessions");
  const { capabilities } = session.engine;
  const byQr = engineCan(capabilities, "pairing.qr");
  const byCode = engineCan(capabilities, "pairing.code");
  if ((!byQr && !byCode) || session.status === "ready") return null;
  return (
    <div className="min-w-0 space-y-4">
      {!byQr ? null : session.status === "qr" && session.qr ? (
        <SessionQr qr={session.qr} name={session.name} />
      ) : (
        <p className="rounded-md border border-dashed border-border px-3 py-4 text-sm" data-testid="session-waiting">
          {t(`linking.${waitingText(session)}`)}
        </p>
      )}
      {byCode ? <SessionPairingCode session={session} canWrite={canWrite} /> : null}
    </div>
  );
}

/** Which sentence of `sessions.linking` says what happens next. */
function waitingText(session: TSession) {
  switch (session.status) {
    case "new":
      return session.worker ? "startingWorker" : "waitingWorker";
    case "qr":
      return "waitingQr";
    case "connecting":
      return session.phone ? "connecting" : "startingMayLink";
    case "logged_out":
      return "loggedOut";
    default:
      return session.worker ? "retrying" : "noWorker";
  }
}
