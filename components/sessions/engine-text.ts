import { useTranslations } from "next-intl";

/** The engines this interface has words for; any other shows the name and description its worker published. */
const KNOWN_ENGINES = ["wwebjs", "simulator", "cloud", "baileys"] as const;
type TKnownEngine = (typeof KNOWN_ENGINES)[number];
const isKnown = (kind: string): kind is TKnownEngine => (KNOWN_ENGINES as readonly string[]).includes(kind);

/**
 * An engine's name and description in the reader's language. The workers publish them in
 * English for the API (server/sessions/engines.ts); the page translates the engines it knows by kind.
 */
export function useEngineText(): (engine: { kind: string; label: string; description: string }) => {
  label: string;
  description: string;
} {
  const t = useTranslations("sessions");
  return (engine) =>
    isKnown(engine.kind)
      ? { label: t(`engines.${engine.kind}.label`), description: t(`engines.${engine.kind}.description`) }
      : { label: engine.label, description: engine.description };
}
