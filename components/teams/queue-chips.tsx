"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "~/components/trpc/client";
import { cn } from "~/components/ui/cn";
import { formatUnread } from "~/components/inbox/inbox-labels";

const CHIP =
  "inline-flex h-7 items-center gap-1.5 rounded-full border px-2.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-primary";

/**
 * The Inbox's queues, beside its filters: every queue, the shared one (hand-offs to no team) and
 * each team's, with how many conversations wait in it (unassigned), from `inbox.counts`. Shown
 * once there is a team.
 */
export function QueueChips({ queue, onChange }: { queue: string | null; onChange: (queue: string | null) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.teamsUi.queues");
  const teams = useQuery(trpc.teams.list.queryOptions());
  const counts = useQuery(trpc.inbox.counts.queryOptions());
  if (!teams.data || teams.data.length === 0) return null;
  const waitingOf = new Map((counts.data?.queues ?? []).map((each) => [each.teamId ?? "shared", each.waiting]));
  const chips = [
    { value: null, label: t("all"), waiting: 0, isName: false },
    { value: "shared", label: t("shared"), waiting: waitingOf.get("shared") ?? 0, isName: false },
    ...teams.data.map((team) => ({
      value: team.id,
      label: team.name,
      waiting: waitingOf.get(team.id) ?? 0,
      isName: true,
    })),
  ];
  return (
    <div role="group" aria-label={t("group")} className="flex flex-wrap gap-1" data-testid="inbox-queues">
      {chips.map((chip) => {
        const active = chip.value === queue;
        return (
          <button
            key={chip.value ?? "all"}
            type="button"
            aria-pressed={active}
            data-queue={chip.value ?? "all"}
            onClick={() => onChange(chip.value)}
            className={cn(
              CHIP,
              active
                ? "border-primary bg-primary/10 text-foreground"
                : "border-dashed border-border bg-card hover:bg-muted",
            )}
          >
            <span translate={chip.isName ? "no" : undefined} className="max-w-40 truncate">
              {chip.label}
            </span>
            {chip.waiting > 0 ? (
              <span className="rounded-full bg-warning/25 px-1.5 text-[11px] font-semibold text-foreground">
                <span aria-hidden="true">{formatUnread(chip.waiting)}</span>
                <span className="sr-only">{t("waiting", { count: chip.waiting })}</span>
              </span>
            ) : null}
          </button>
        );
      })}
    </div>
  );
}
