"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useId, useSyncExternalStore } from "react";
import { useLiveEvents } from "~/components/live/use-live-events";
import { useTRPC } from "~/components/trpc/client";
import { cn } from "~/components/ui/cn";
import { AVAILABILITIES } from "~/db/schema/users";

export type TAvailability = (typeof AVAILABILITIES)[number];

/** How often an open tab tells the server it is still open (the sweep marks people away after 5 minutes without one). */
export const HEARTBEAT_INTERVAL_MS = 60_000;

// The latest availability heard live (or set here) per person, over whatever a page loaded:
// an event is newer than the data a page loaded before it, and one loaded after agrees with it.
const heard = new Map<string, TAvailability>();
const listeners = new Set<() => void>();
let version = 0;

function setHeard(userId: string, availability: TAvailability) {
  if (heard.get(userId) === availability) return;
  heard.set(userId, availability);
  version += 1;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A person's availability: the latest heard live, else what the page loaded (`loaded`). */
export function useAvailability(userId: string | null | undefined, loaded: TAvailability | null | undefined) {
  useSyncExternalStore(
    subscribe,
    () => version,
    () => 0,
  );
  if (!userId) return loaded ?? null;
  return heard.get(userId) ?? loaded ?? null;
}

const DOT = {
  online: "bg-success",
  away: "bg-warning",
  offline: "border-2 border-muted-foreground bg-transparent",
} as const;

/** A coloured dot for a person's availability (green online, amber away, hollow offline), named for screen readers. */
export function AvailabilityDot({
  userId,
  availability,
  className,
}: {
  userId: string | null | undefined;
  availability: TAvailability | null | undefined;
  className?: string;
}) {
  const t = useTranslations("domain.teamsUi.availability");
  const state = useAvailability(userId, availability);
  if (!state) return null;
  return (
    <span
      role="img"
      aria-label={t(state)}
      title={t(state)}
      data-availability={state}
      data-testid="availability-dot"
      className={cn("inline-block size-2.5 shrink-0 rounded-full", DOT[state], className)}
    />
  );
}

/**
 * Mounted once per tab (in the shell) for people who see the inbox: relays `user.availability`
 * events into what every dot shows, refreshes the team lists, and, for people who answer
 * conversations, beats `teams.heartbeat` at once, every minute and whenever the tab comes back
 * into view, so an open tab keeps its person from being marked away.
 */
export function AvailabilityLive({ userId, canBeat }: { userId: string; canBeat: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const heartbeat = useMutation(
    trpc.teams.heartbeat.mutationOptions({ onSuccess: (row) => setHeard(userId, row.availability) }),
  );
  const beat = heartbeat.mutate;
  useLiveEvents((event) => {
    if (event.type !== "user.availability" || !event.availability) return;
    setHeard(event.availability.userId, event.availability.state);
    void queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
  });
  useEffect(() => {
    if (!canBeat) return;
    beat();
    const timer = setInterval(() => beat(), HEARTBEAT_INTERVAL_MS);
    const onVisible = () => {
      if (document.visibilityState === "visible") beat();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [canBeat, beat]);
  return null;
}

/** The signed-in person's own availability: online, away or offline, set by hand (shown in the shell). */
export function AvailabilityControl({ userId }: { userId: string }) {
  const t = useTranslations("domain.teamsUi.availability");
  const trpc = useTRPC();
  const id = useId();
  const state = useAvailability(userId, null);
  const set = useMutation(
    trpc.teams.setAvailability.mutationOptions({ onSuccess: (row) => setHeard(userId, row.availability) }),
  );
  return (
    <div className="flex items-center justify-between gap-2">
      <label htmlFor={id} className="flex items-center gap-1.5 text-xs text-muted-foreground">
        <AvailabilityDot userId={userId} availability={state} />
        {t("label")}
      </label>
      <select
        id={id}
        value={state ?? ""}
        disabled={!state || set.isPending}
        data-testid="availability-switch"
        className="rounded-md border border-border bg-background px-2 py-1 text-xs text-foreground"
        onChange={(event) => set.mutate({ availability: event.target.value as TAvailability })}
      >
        {state ? null : <option value="">{t("loading")}</option>}
        {AVAILABILITIES.map((value) => (
          <option key={value} value={value}>
            {t(value)}
          </option>
        ))}
      </select>
      {set.error ? (
        <span role="alert" className="sr-only">
          {t("notSaved")}
        </span>
      ) : null}
    </div>
  );
}

/** The dot of a person who answers conversations, from the inbox's list of them (the thread header's owner). */
export function AgentAvailabilityDot({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.inbox.agents.queryOptions());
  const loaded = agents.data?.find((agent) => agent.id === userId)?.availability;
  return <AvailabilityDot userId={userId} availability={loaded} />;
}

/** An agent as a choice in a menu (options hold text only): their name and availability, e.g. "Ana · Online". */
export function AgentOption({
  agent,
  label,
  disabled,
}: {
  agent: { id: string; availability: TAvailability };
  label: string;
  disabled?: boolean;
}) {
  const t = useTranslations("domain.teamsUi.availability");
  const state = useAvailability(agent.id, agent.availability);
  return (
    <option value={agent.id} disabled={disabled} data-availability={state ?? undefined}>
      {state ? t("of", { name: label, state: t(state) }) : label}
    </option>
  );
}
