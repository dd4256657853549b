import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import { flows, flowVersions } from "~/db/schema";
import { ZFlowInput, type TFlowInput } from "~/server/flows/definition";

/**
 * Stores and publishes a flow as publishing does (a draft row, version n+1 with its snapshot,
 * the draft pointing at it), for tests of the pipeline that do not test the editor.
 */
export async function publishFlowRows(db: TDb, input: TFlowInput, existingId?: string): Promise<string> {
  const flow = ZFlowInput.parse(input);
  const values = {
    name: flow.name,
    description: flow.description,
    enabled: flow.enabled,
    definition: flow.definition as unknown as Record<string, unknown>,
    triggers: flow.triggers as unknown as Record<string, unknown>,
  };
  const id = existingId ?? (await db.insert(flows).values(values).returning({ id: flows.id }))[0]!.id;
  const [current] = await db.select({ version: flows.publishedVersion }).from(flows).where(eq(flows.id, id));
  const version = (current?.version ?? 0) + 1;
  await db.insert(flowVersions).values({ flowId: id, version, ...values, name: flow.name });
  await db
    .update(flows)
    .set({ ...values, publishedVersion: version })
    .where(eq(flows.id, id));
  return id;
}

export type TOrdersServer = {
  url: string;
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }[];
};

/**
 * The business's order system, on loopback: `GET /orders/:n` answers `{ status }` from
 * `statuses` (404 for an unknown order). Stops with the test.
 */
export async function startOrdersServer(statuses: Record<string, string>): Promise<TOrdersServer> {
  const requests: TOrdersServer["requests"] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const match = /^\/orders\/([^/?]+)/.exec(req.url ?? "");
      const status = match ? statuses[decodeURIComponent(match[1]!)] : undefined;
      res.writeHead(status ? 200 : 404, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify(status ? { order: match![1], status, items: [{ name: "Lamp" }] } : { error: "not found" }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
