import { onTestFinished } from "vitest";
import { createFakeGemini } from "./fake-gemini-server";

export type { TFakeGeminiStep } from "./fake-gemini-server";

/** `createFakeGemini`, closed when the current test ends. */
export async function startFakeGemini(options: Parameters<typeof createFakeGemini>[0] = {}) {
  const fake = await createFakeGemini(options);
  onTestFinished(fake.close);
  return fake;
}
