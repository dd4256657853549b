import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Table, Td, Th } from "~/components/ui/table";
import type { THealth } from "~/server/health/health";
import { ProcessStatus } from "./process-status";

function Status({ ok }: { ok: boolean }) {
  const t = useTranslations("system");
  return <Badge tone={ok ? "success" : "danger"}>{ok ? t("ok") : t("down")}</Badge>;
}

/** Database, migrations, worker, queues and processes, as /api/health reports them. */
export function SystemStatus({ health }: { health: THealth }) {
  const t = useTranslations("system");
  const format = useFormatter();
  const tiles = [
    {
      label: t("database"),
      ok: health.db.ok,
      detail: health.db.ok ? t("latency", { ms: health.db.latencyMs ?? 0 }) : health.db.error,
    },
    {
      label: t("migrations"),
      ok: health.migrations.ok,
      detail: t("migrationsApplied", {
        applied: health.migrations.applied === undefined ? "?" : format.number(health.migrations.applied),
        expected: health.migrations.expected,
      }),
    },
    {
      label: t("worker"),
      ok: health.worker.ok,
      detail: health.worker.ok
        ? t("workerRunning", { workers: health.worker.workers, seconds: health.worker.lastHeartbeatAgeS ?? 0 })
        : health.worker.error,
    },
  ];
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-3">
        {tiles.map((tile) => (
          <Card key={tile.label}>
            <CardBody>
              <div className="flex items-center justify-between gap-2">
                <span className="text-sm font-medium">{tile.label}</span>
                <Status ok={tile.ok} />
              </div>
              <p className="mt-2 text-sm break-words text-muted-foreground">{tile.detail}</p>
            </CardBody>
          </Card>
        ))}
      </div>
      <ProcessStatus supervisor={health.supervisor} />
      <Card>
        <CardHeader title={t("queues.title")} description={t("queues.description")} />
        <CardBody>
          {health.queues.error ? <p className="text-sm text-destructive">{health.queues.error}</p> : null}
          <Table>
            <thead>
              <tr>
                <Th>{t("queues.queue")}</Th>
                <Th>{t("queues.queued")}</Th>
                <Th>{t("queues.active")}</Th>
                <Th>{t("queues.deferred")}</Th>
                <Th>{t("queues.failed")}</Th>
              </tr>
            </thead>
            <tbody>
              {health.queues.sizes.map((queue) => (
                <tr key={queue.name}>
                  <Td className="text-xs">
                    <code translate="no">{queue.name}</code>
                  </Td>
                  <Td>{format.number(queue.queued, "integer")}</Td>
                  <Td>{format.number(queue.active, "integer")}</Td>
                  <Td>{format.number(queue.deferred, "integer")}</Td>
                  <Td>{format.number(queue.failed, "integer")}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}
