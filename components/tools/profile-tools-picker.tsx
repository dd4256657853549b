"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";

/**
 * The tools a profile's AI replies may call, as checkboxes saved at once (for the profile
 * editor). The same choice is on the AI tools page, per tool.
 */
export function ProfileToolsPicker({ profileId, canWrite }: { profileId: string; canWrite: boolean }) {
  const t = useTranslations("domain.aiTools.ui.picker");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tools = useQuery(trpc.aiTools.list.queryOptions());
  const chosen = useQuery(trpc.aiTools.ofProfile.queryOptions({ profileId }));
  const save = useMutation(
    trpc.aiTools.setOfProfile.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.aiTools.pathKey() }),
    }),
  );
  const selected = chosen.data ?? [];
  const error = tools.error ?? chosen.error ?? save.error;
  return (
    <fieldset className="text-sm" disabled={!canWrite || save.isPending}>
      <legend className="mb-1 font-medium">{t("title")}</legend>
      <p className="mb-2 text-xs text-muted-foreground">{t("hint")}</p>
      {tools.data?.length === 0 ? <p className="text-muted-foreground">{t("none")}</p> : null}
      <div className="flex flex-wrap gap-4">
        {tools.data?.map((tool) => (
          <label key={tool.id} className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={selected.includes(tool.id)}
              onChange={(event) =>
                save.mutate({
                  profileId,
                  toolIds: event.target.checked ? [...selected, tool.id] : selected.filter((id) => id !== tool.id),
                })
              }
            />
            <span className="font-mono" translate="no">
              {tool.name}
            </span>
            {tool.enabled ? null : <span className="text-xs text-muted-foreground">{t("disabled")}</span>}
          </label>
        ))}
      </div>
      {error ? <Alert tone="error">{describeError(error).message}</Alert> : null}
    </fieldset>
  );
}
