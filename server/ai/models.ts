/** The Gemini model used when neither GEMINI_MODEL nor Settings name one: a current Flash model. */
export const DEFAULT_GEMINI_MODEL = "gemini-3.8-flash";

/** Gemini as a deployment configures it (GEMINI_*); null where it is used means the offline provider answers. */
export type TGeminiConfig = { apiKey: string; model: string; baseUrl?: string };

/** The model AI replies use: the one named in Settings, else the deployment's. */
export function effectiveModel(gemini: TGeminiConfig, settingsModel: string): string {
  return settingsModel.trim() || gemini.model;
}
