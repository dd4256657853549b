"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { useTRPC } from "~/components/trpc/client";
import { Badge } from "~/components/ui/badge";

/**
 * The tools the AI called while writing this conversation's replies, folded under the thread's
 * header (beside the flow trace): each call's tool, arguments, status, time and the result the
 * model read. Nothing shows for a conversation whose replies called no tool.
 */
export function ToolCallsTrace({ threadId }: { threadId: string }) {
  const t = useTranslations("domain.aiTools.ui.trace");
  const format = useFormatter();
  const trpc = useTRPC();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const replies = useQuery(trpc.aiTools.ofConversation.queryOptions({ threadId }));
  useLiveInvalidation((event) =>
    event.threadId === threadId && event.type.startsWith("message.")
      ? [trpc.aiTools.ofConversation.queryKey({ threadId })]
      : [],
  );
  const data = replies.data;
  if (!data || data.length === 0) return null;
  const calls = data.reduce((sum, reply) => sum + reply.calls.length, 0);
  return (
    <section className="border-b border-border" aria-label={t("title")}>
      <button
        type="button"
        className="flex w-full flex-wrap items-center gap-2 px-4 py-2 text-left text-sm hover:bg-muted focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-primary"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <span aria-hidden className="text-xs">
          {open ? "▾" : "▸"}
        </span>
        <span className="font-semibold">{t("title")}</span>
        <Badge>{t("count", { count: calls })}</Badge>
      </button>
      {open ? (
        <div id={panelId} className="max-h-[50dvh] space-y-3 overflow-y-auto px-4 pb-4">
          {data.map((reply) => (
            <div key={reply.id} className="space-y-2">
              <p className="text-xs text-muted-foreground">
                {t("reply", { time: format.dateTime(new Date(reply.at), { dateStyle: "medium", timeStyle: "short" }) })}
              </p>
              <ol className="space-y-2">
                {reply.calls.map((call, index) => (
                  <li key={index} className="rounded-md border border-border p-2 text-sm">
                    <div className="flex flex-wrap items-center gap-2">
                      <span className="font-mono font-medium" translate="no">
                        {call.tool}
                      </span>
                      <Badge tone={call.ok ? "success" : "danger"}>
                        {call.ok ? t("status", { status: call.status }) : (call.error?.split(":")[0] ?? t("failed"))}
                      </Badge>
                      <span className="text-xs text-muted-foreground">{t("ms", { ms: call.ms })}</span>
                    </div>
                    <dl className="mt-1 grid gap-1 text-xs sm:grid-cols-[auto_minmax(0,1fr)] sm:gap-x-3">
                      <dt className="font-medium">{t("args")}</dt>
                      <dd className="min-w-0 font-mono break-all" translate="no">
                        {JSON.stringify(call.args)}
                      </dd>
                      <dt className="font-medium">{t("result")}</dt>
                      <dd className="min-w-0 font-mono break-all whitespace-pre-wrap" translate="no">
                        {call.result}
                      </dd>
                    </dl>
                  </li>
                ))}
              </ol>
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
