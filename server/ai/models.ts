/** The Gemini model used when neither GEMINI_MODEL nor Settings name one: a current Flash model. */
export const DEFAULT_GEMINI_MODEL = "gemini-3.8-flash";
