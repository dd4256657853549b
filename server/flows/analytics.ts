import { asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { flows, flowVersions } from "~/db/schema";
import { withAnalyticsSettings } from "~/server/analytics/session";
import { resolveRange } from "~/server/analytics/range";
import { AppError } from "~/server/errors";
import { transitionsOf, ZFlowDefinition, type TFlowDefinition } from "./definition";

/**
 * Flow analytics over the runs started in a range (whole days in the org's time zone), for one
 * flow, one version or all of them: how runs ended, the completion rate, the median time to
 * complete, and the funnel: per step, the distinct runs that reached it (`flow_steps`), in the
 * flow's order (breadth first from the start step), with the drop-off from the step it is
 * reached from. Two aggregate queries, each on its index (`flow_runs_flow_started_idx`,
 * `flow_steps_flow_idx`), in the analytics' read-only transaction.
 */

export const ZFlowAnalyticsInput = z.object({
  flowId: z.uuid(),
  /** One published version; null: all of them. */
  version: z.number().int().min(1).nullable().default(null),
  from: z.string(),
  to: z.string(),
  sessionId: z.uuid().nullable().default(null),
});
export type TFlowAnalyticsInput = z.input<typeof ZFlowAnalyticsInput>;

export type TFunnelStep = {
  stepId: string;
  /** Its type and title in the version shown (null: a step of another version, gone from this one). */
  stepType: string | null;
  title: string | null;
  /** Steps from the start (null: not reachable in the version shown). */
  depth: number | null;
  /** The step the flow reaches it from (its parent breadth first; null for the start). */
  fromStepId: string | null;
  /** Distinct runs that reached it. */
  reached: number;
  /** 0–1: the share of runs at `fromStepId` that did not reach it (null: none were there). */
  dropOff: number | null;
};

export type TFlowAnalytics = {
  flow: { id: string; name: string; publishedVersion: number | null };
  versions: { version: number; publishedAt: Date }[];
  version: number | null;
  range: { start: Date; end: Date; timeZone: string; days: number };
  starts: number;
  completions: number;
  handoffs: number;
  stopped: number;
  failed: number;
  replaced: number;
  running: number;
  /** completions / starts (null: no starts). */
  completionRate: number | null;
  /** Median seconds from start to completion of the completed runs (null: none). */
  medianSecondsToComplete: number | null;
  funnel: TFunnelStep[];
};

/** Flows the Analytics page offers: every flow, published or not, by name. */
export async function listAnalyticsFlows(db: TDbOrTx) {
  return db
    .select({ id: flows.id, name: flows.name, publishedVersion: flows.publishedVersion })
    .from(flows)
    .orderBy(asc(sql`lower(${flows.name})`), asc(flows.id));
}

export async function flowAnalytics(db: TDbOrTx, raw: TFlowAnalyticsInput): Promise<TFlowAnalytics> {
  const input = ZFlowAnalyticsInput.parse(raw);
  const range = await resolveRange(db, { from: input.from, to: input.to, sessionId: input.sessionId });
  const [flow] = await db
    .select({ id: flows.id, name: flows.name, publishedVersion: flows.publishedVersion, definition: flows.definition })
    .from(flows)
    .where(eq(flows.id, input.flowId));
  if (!flow) throw new AppError("NOT_FOUND", "This flow no longer exists.");
  const versions = await db
    .select({
      version: flowVersions.version,
      publishedAt: flowVersions.publishedAt,
      definition: flowVersions.definition,
    })
    .from(flowVersions)
    .where(eq(flowVersions.flowId, flow.id))
    .orderBy(desc(flowVersions.version));
  if (input.version !== null && !versions.some((entry) => entry.version === input.version))
    throw new AppError("NOT_FOUND", "This flow has no such version.");
  // The order of the funnel: the version shown, or the latest published one (the draft before any).
  const shown = input.version !== null ? versions.find((entry) => entry.version === input.version) : versions[0];
  const definition = ZFlowDefinition.safeParse(shown?.definition ?? flow.definition);

  const version = input.version;
  const runFilter = sql`r.flow_id = ${flow.id}::uuid
    ${version !== null ? sql`and r.version = ${version}` : sql``}
    and r.started_at >= ${range.start} and r.started_at < ${range.end}
    ${range.sessionId ? sql`and r.thread_id in (select t.id from threads t join contacts c on c.id = t.contact_id where c.session_id = ${range.sessionId}::uuid)` : sql``}`;

  const { figures, reached } = await withAnalyticsSettings(db, async (tx) => {
    const { rows: figureRows } = await tx.execute<{
      starts: number;
      completions: number;
      handoffs: number;
      stopped: number;
      failed: number;
      replaced: number;
      running: number;
      median_seconds: number | null;
    }>(sql`
      select count(*)::int as starts,
        count(*) filter (where r.outcome = 'completed')::int as completions,
        count(*) filter (where r.outcome = 'handed_off')::int as handoffs,
        count(*) filter (where r.outcome = 'stopped')::int as stopped,
        count(*) filter (where r.outcome = 'failed')::int as failed,
        count(*) filter (where r.outcome = 'replaced')::int as replaced,
        count(*) filter (where r.ended_at is null)::int as running,
        percentile_cont(0.5) within group (order by extract(epoch from r.ended_at - r.started_at))
          filter (where r.outcome = 'completed') as median_seconds
      from flow_runs r
      where ${runFilter}`);
    // flow_steps carries the flow and version (its index), joined to the runs of the range.
    const { rows: stepRows } = await tx.execute<{ step_id: string; reached: number }>(sql`
      select s.step_id, count(distinct s.run_id)::int as reached
      from flow_steps s
      join flow_runs r on r.id = s.run_id
      where s.flow_id = ${flow.id}::uuid ${version !== null ? sql`and s.version = ${version}` : sql``}
        and ${runFilter}
      group by s.step_id`);
    return { figures: figureRows[0]!, reached: new Map(stepRows.map((row) => [row.step_id, Number(row.reached)])) };
  });

  const starts = Number(figures.starts);
  const completions = Number(figures.completions);
  return {
    flow: { id: flow.id, name: flow.name, publishedVersion: flow.publishedVersion },
    versions: versions.map((entry) => ({ version: entry.version, publishedAt: entry.publishedAt })),
    version,
    range: { start: range.start, end: range.end, timeZone: range.timeZone, days: range.days },
    starts,
    completions,
    handoffs: Number(figures.handoffs),
    stopped: Number(figures.stopped),
    failed: Number(figures.failed),
    replaced: Number(figures.replaced),
    running: Number(figures.running),
    completionRate: starts === 0 ? null : completions / starts,
    medianSecondsToComplete: figures.median_seconds === null ? null : Number(figures.median_seconds),
    funnel: funnelOf(definition.success ? definition.data : null, reached),
  };
}

/**
 * The funnel in the flow's order: the steps reachable from the start, breadth first over their
 * transitions (each with the step it was first reached from), then steps runs reached that the
 * definition no longer has (older versions), most reached first.
 */
export function funnelOf(definition: TFlowDefinition | null, reached: ReadonlyMap<string, number>): TFunnelStep[] {
  const steps = new Map((definition?.steps ?? []).map((step) => [step.id, step] as const));
  const ordered: { stepId: string; depth: number; from: string | null }[] = [];
  const seen = new Set<string>();
  if (definition?.start && steps.has(definition.start)) {
    const queue: { stepId: string; depth: number; from: string | null }[] = [
      { stepId: definition.start, depth: 0, from: null },
    ];
    seen.add(definition.start);
    while (queue.length > 0) {
      const current = queue.shift()!;
      ordered.push(current);
      const step = steps.get(current.stepId)!;
      for (const { target } of transitionsOf(step)) {
        if (target === null || seen.has(target) || !steps.has(target)) continue;
        seen.add(target);
        queue.push({ stepId: target, depth: current.depth + 1, from: current.stepId });
      }
    }
  }
  const gone = [...reached.entries()]
    .filter(([stepId]) => !seen.has(stepId))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([stepId]) => ({ stepId, depth: null, from: null }));
  return [...ordered, ...gone].map(({ stepId, depth, from }) => {
    const step = steps.get(stepId);
    const count = reached.get(stepId) ?? 0;
    const before = from !== null ? (reached.get(from) ?? 0) : null;
    return {
      stepId,
      stepType: step?.type ?? null,
      title: step?.title ?? null,
      depth,
      fromStepId: from,
      reached: count,
      dropOff: before === null || before === 0 ? null : Math.max(0, (before - count) / before),
    };
  });
}
