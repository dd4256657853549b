"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { SelectHTMLAttributes } from "react";
import { useTRPC } from "~/components/trpc/client";
import { Select } from "~/components/ui/input";

/**
 * Which team's queue a hand-off goes to (the rule editor's hand-off action, the flow editor's
 * hand-off step): none (the shared queue) or one of the teams. A team deleted since keeps its id
 * here until changed; the server then sends the hand-off to the shared queue.
 */
export function TeamSelect({
  value,
  onChange,
  ...props
}: { value: string | null; onChange: (teamId: string | null) => void } & Omit<
  SelectHTMLAttributes<HTMLSelectElement>,
  "value" | "onChange"
>) {
  const trpc = useTRPC();
  const t = useTranslations("domain.teamsUi.picker");
  const teams = useQuery(trpc.teams.list.queryOptions());
  return (
    <Select value={value ?? ""} onChange={(event) => onChange(event.target.value || null)} {...props}>
      <option value="">{t("noTeam")}</option>
      {teams.data?.map((team) => (
        <option key={team.id} value={team.id} translate="no">
          {team.name}
        </option>
      ))}
    </Select>
  );
}
