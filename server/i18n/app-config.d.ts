import type { FORMATS } from "./formats";
import type { TLocale } from "./locales";
import type { TMessages } from "./messages";

// Typed translations: `t("inbox.takeOver")` with a key the English catalogue lacks does not compile.
declare module "next-intl" {
  interface AppConfig {
    Locale: TLocale;
    Messages: TMessages;
    Formats: typeof FORMATS;
  }
}
