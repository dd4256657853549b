import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Table, Td, Th } from "~/components/ui/table";
import type { THealth } from "~/server/health/health";
import { ProcessStatus } from "./process-status";

function Status({ ok }: { ok: boolean }) {
  return <Badge tone={ok ? "success" : "danger"}>{ok ? "ok" : "down"}</Badge>;
}

/** Database, migrations, worker, queues and processes, as /api/health reports them. */
export function SystemStatus({ health }: { health: THealth }) {
  const tiles = [
    { label: "Database", ok: health.db.ok, detail: health.db.ok ? `${health.db.latencyMs} ms` : health.db.error },
    {
      label: "Migrations",
      ok: health.migrations.ok,
      detail: `${health.migrations.applied ?? "?"} of ${health.migrations.expected} applied`,
    },
    {
      label: "Worker",
      ok: health.worker.ok,
      detail: health.worker.ok
        ? `${health.worker.workers} running, last heartbeat ${health.worker.lastHeartbeatAgeS}s ago`
        : health.worker.error,
    },
  ];
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-3">
        {tiles.map((tile) => (
          <Card key={tile.label}>
            <CardBody>
              <div className="flex items-center justify-between">
                <span className="text-sm font-medium">{tile.label}</span>
                <Status ok={tile.ok} />
              </div>
              <p className="mt-2 text-sm text-muted-foreground">{tile.detail}</p>
            </CardBody>
          </Card>
        ))}
      </div>
      <ProcessStatus supervisor={health.supervisor} />
      <Card>
        <CardHeader title="Queues" description="Counted by the worker's pg-boss supervisor every few seconds." />
        <CardBody>
          {health.queues.error ? <p className="text-sm text-destructive">{health.queues.error}</p> : null}
          <Table>
            <thead>
              <tr>
                <Th>Queue</Th>
                <Th>Queued</Th>
                <Th>Active</Th>
                <Th>Deferred</Th>
                <Th>Failed</Th>
              </tr>
            </thead>
            <tbody>
              {health.queues.sizes.map((queue) => (
                <tr key={queue.name}>
                  <Td className="font-mono text-xs">{queue.name}</Td>
                  <Td>{queue.queued}</Td>
                  <Td>{queue.active}</Td>
                  <Td>{queue.deferred}</Td>
                  <Td>{queue.failed}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}
