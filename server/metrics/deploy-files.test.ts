import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { metrics } from "./metrics";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Series Prometheus makes itself, not any registry's. */
const PROMETHEUS_SERIES = new Set(["up"]);
const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "le",
  "inf",
  "nan",
]);

/** The metric names a PromQL expression reads (functions, labels, strings and ranges left out). */
function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    const name = match[0].replace(/\s*\($/, "");
    if (match[1] || PROMQL_WORDS.has(name.toLowerCase()) || name.startsWith("$")) continue;
    names.push(name);
  }
  return names;
}

/** The names the registry exposes, histograms with their _bucket, _sum and _count series. */
function exposedNames(): Set<string> {
  const names = new Set<string>(PROMETHEUS_SERIES);
  for (const metric of metrics.registry.getMetricsAsArray()) {
    names.add(metric.name);
    for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

type TPanel = {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: { h?: unknown; w?: unknown; x?: unknown; y?: unknown };
  datasource?: { uid?: unknown };
  targets?: { refId?: unknown; expr?: unknown; datasource?: { uid?: unknown } }[];
};

describe("deploy/grafana/switchboard.json", () => {
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, "deploy/grafana/switchboard.json"), "utf8")) as {
    title?: unknown;
    uid?: unknown;
    schemaVersion?: unknown;
    __inputs?: { name?: unknown; type?: unknown; pluginId?: unknown }[];
    panels?: TPanel[];
  };
  const panels = dashboard.panels ?? [];

  it("is an importable dashboard: title, uid, schema version, a Prometheus data source input", () => {
    expect(dashboard.title).toBe("Switchboard");
    expect(typeof dashboard.uid).toBe("string");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(30);
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }),
    );
    expect(panels.length).toBeGreaterThan(10);
  });

  it("has panels with unique ids and a place on the 24-column grid, none overlapping", () => {
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const panel of panels) {
      const { h, w, x, y } = panel.gridPos ?? {};
      for (const value of [h, w, x, y]) expect(Number.isInteger(value), String(panel.title)).toBe(true);
      const [ph, pw, px, py] = [h, w, x, y].map(Number) as [number, number, number, number];
      expect(px + pw, String(panel.title)).toBeLessThanOrEqual(24);
      for (let row = py; row < py + ph; row++) {
        for (let column = px; column < px + pw; column++) {
          const cell = `${row}:${column}`;
          expect(cells.has(cell), `${String(panel.title)} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it("queries only metrics the registry defines, through the ${DS_PROMETHEUS} input", () => {
    const exposed = exposedNames();
    const queried = new Set<string>();
    for (const panel of panels) {
      if (panel.type === "row") continue;
      expect(panel.datasource?.uid, String(panel.title)).toBe("${DS_PROMETHEUS}");
      expect(panel.targets?.length, String(panel.title)).toBeGreaterThan(0);
      const refIds = new Set<unknown>();
      for (const target of panel.targets ?? []) {
        expect(typeof target.expr, String(panel.title)).toBe("string");
        refIds.add(target.refId);
        for (const name of metricNamesOf(target.expr as string)) {
          expect(exposed.has(name), `${String(panel.title)}: unknown metric ${name}`).toBe(true);
          queried.add(name.replace(/_(bucket|sum|count)$/, ""));
        }
      }
      expect(refIds.size, String(panel.title)).toBe(panel.targets?.length);
    }
    // Every metric of ours is on the dashboard.
    const ours = metrics.registry
      .getMetricsAsArray()
      .map((metric) => metric.name)
      .filter((name) => name.startsWith("switchboard_"));
    for (const name of ours) expect(queried.has(name), `${name} has no panel`).toBe(true);
  });
});

describe("deploy/prometheus/alerts.yml", () => {
  const rules = parse(readFileSync(path.join(ROOT, "deploy/prometheus/alerts.yml"), "utf8")) as {
    groups?: { name?: unknown; rules?: Record<string, unknown>[] }[];
  };

  it("parses as Prometheus rule groups, each alert with an expression, a severity and a summary", () => {
    const all = (rules.groups ?? []).flatMap((group) => group.rules ?? []);
    const names = all.map((rule) => rule.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        "SwitchboardWorkerDown",
        "SwitchboardSendFailuresRising",
        "SwitchboardQueueBacklog",
        "SwitchboardSessionDisconnected",
        "SwitchboardWebhookFailures",
        "SwitchboardAiErrors",
        "SwitchboardDbPoolSaturated",
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    const exposed = exposedNames();
    for (const rule of all) {
      expect(typeof rule.expr).toBe("string");
      expect((rule.labels as Record<string, unknown>).severity).toMatch(/^(critical|warning)$/);
      expect(typeof (rule.annotations as Record<string, unknown>).summary).toBe("string");
      for (const name of metricNamesOf(rule.expr as string)) {
        expect(exposed.has(name), `${String(rule.alert)}: unknown metric ${name}`).toBe(true);
      }
    }
  });

  it("finds the metric names in PromQL (so a renamed metric is caught)", () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, queue) (rate(switchboard_job_duration_seconds_bucket{q="a b"}[5m]))) > 0.5 and up',
      ),
    ).toEqual(["switchboard_job_duration_seconds_bucket", "up"]);
  });
});
