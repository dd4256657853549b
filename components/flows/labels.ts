import { useTranslations } from "next-intl";
import { useCallback } from "react";
import type { TFlowStepType } from "~/server/flows/definition";
import type { THandle } from "./graph";

/** A step type's name in the reader's language. */
export function useStepTypeLabel() {
  const t = useTranslations("flows.types");
  return useCallback((type: TFlowStepType) => t(type), [t]);
}

/** A way out of a step in the reader's language: "Next", "Not valid", a branch's label, a menu option. */
export function useHandleLabel() {
  const t = useTranslations("flows.handles");
  return useCallback(
    (handle: Pick<THandle, "key" | "label">) => {
      if (handle.key.startsWith("route:")) return t("option", { title: handle.label ?? "" });
      if (handle.key.startsWith("branch:")) return t("branch", { label: handle.label ?? "" });
      switch (handle.key) {
        case "next":
        case "onInvalid":
        case "onTimeout":
        case "onError":
        case "otherwise":
          return t(handle.key);
        default:
          return handle.key;
      }
    },
    [t],
  );
}
