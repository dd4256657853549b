import { engineCan } from "~/server/sessions/engine-capabilities";
import type { TSession } from "./session-labels";
import { SessionQr } from "./session-qr";

/**
 * Where a number of an engine that pairs by QR code stands on its way to being linked: the QR
 * code while WhatsApp waits for a scan, otherwise a sentence on what happens next. Nothing
 * once it is connected, nor for an engine with nothing to pair.
 */
export function SessionLinking({ session }: { session: TSession }) {
  if (!engineCan(session.engine.capabilities, "pairing.qr") || session.status === "ready") return null;
  if (session.status === "qr" && session.qr) return <SessionQr qr={session.qr} name={session.name} />;
  return (
    <p className="rounded-md border border-dashed border-border px-3 py-4 text-sm" data-testid="session-waiting">
      {waitingText(session)}
    </p>
  );
}

function waitingText(session: TSession): string {
  switch (session.status) {
    case "new":
      return session.worker
        ? "Starting WhatsApp Web… the QR code to link this number appears here in a few seconds."
        : "Waiting for a worker… one picks the number up within seconds, then its QR code appears here.";
    case "qr":
      return "Waiting for the QR code…";
    case "connecting":
      return session.phone
        ? "Connecting to WhatsApp…"
        : "Starting WhatsApp Web… if the number needs linking, its QR code appears here.";
    case "logged_out":
      return "Logged out. A new QR code to link it again appears here shortly.";
    default:
      return session.worker
        ? "The worker tries again by itself, waiting longer after each failure. Restart tries again now."
        : "No worker runs this number right now; it starts again when one picks it up.";
  }
}
