import { useTranslations } from "next-intl";
import { engineCan } from "~/server/sessions/engine-capabilities";
import type { TSession } from "./session-labels";
import { SessionQr } from "./session-qr";

/**
 * Where a number of an engine that pairs by QR code stands on its way to being linked: the QR
 * code while WhatsApp waits for a scan, otherwise a sentence on what happens next. Nothing
 * once it is connected, nor for an engine with nothing to pair.
 */
export function SessionLinking({ session }: { session: TSession }) {
  const t = useTranslations("sessions");
  if (!engineCan(session.engine.capabilities, "pairing.qr") || session.status === "ready") return null;
  if (session.status === "qr" && session.qr) return <SessionQr qr={session.qr} name={session.name} />;
  return (
    <p className="rounded-md border border-dashed border-border px-3 py-4 text-sm" data-testid="session-waiting">
      {t(`linking.${waitingText(session)}`)}
    </p>
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
