"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { THEME_COOKIE, THEMES, type TTheme } from "./theme";

/** System, light or dark: applied at once on <html data-theme>, remembered in a cookie for a year. */
export function ThemeSwitch({ initial }: { initial: TTheme }) {
  const t = useTranslations("shell.theme");
  const id = useId();
  const [theme, setTheme] = useState<TTheme>(initial);
  return (
    <div className="flex items-center justify-between gap-2">
      <label htmlFor={id} className="text-xs text-muted-foreground">
        {t("label")}
      </label>
      <select
        id={id}
        value={theme}
        data-testid="theme-switch"
        className="rounded-md border border-border bg-background px-2 py-1 text-xs text-foreground"
        onChange={(event) => {
          const next = event.target.value as TTheme;
          setTheme(next);
          document.documentElement.dataset.theme = next;
          document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
        }}
      >
        {THEMES.map((value) => (
          <option key={value} value={value}>
            {t(value)}
          </option>
        ))}
      </select>
    </div>
  );
}
