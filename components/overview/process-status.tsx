import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Table, Td, Th } from "~/components/ui/table";
import type { TSupervisorHealth } from "~/server/health/supervisor-state";

type TChild = TSupervisorHealth["children"][number];

const TONE: Record<TChild["state"], "success" | "warning" | "danger" | "neutral"> = {
  starting: "warning",
  running: "success",
  restarting: "warning",
  stopping: "neutral",
  stopped: "neutral",
  failed: "danger",
};

/**
 * Web and worker as the `npm start` supervisor sees them (state, restarts, last exit), the
 * same figures as `supervisor` in /api/health. Under a process manager there is no supervisor.
 */
export function ProcessStatus({ supervisor }: { supervisor: TSupervisorHealth | null }) {
  const t = useTranslations("system.processes");
  const format = useFormatter();
  /** An instant in the organisation's time zone, the same on the server and in every browser. */
  const instant = (value: string | null) => (value ? format.dateTime(new Date(value), "short") : "—");
  const lastExit = (child: TChild) => {
    if (!child.lastExit) return "—";
    const how = child.lastExit.signal
      ? t("killedBy", { signal: child.lastExit.signal })
      : t("exitCode", { code: child.lastExit.code ?? "?" });
    return t("lastExitAt", { how, at: instant(child.lastExit.at) });
  };
  return (
    <Card>
      <CardHeader title={t("title")} description={supervisor ? t("supervised") : t("unsupervised")} />
      {supervisor ? (
        <CardBody>
          {supervisor.error ? <p className="text-sm text-destructive">{supervisor.error}</p> : null}
          <Table data-testid="process-status">
            <thead>
              <tr>
                <Th>{t("process")}</Th>
                <Th>{t("state")}</Th>
                <Th>{t("restarts")}</Th>
                <Th>{t("lastExit")}</Th>
                <Th>{t("lastRestart")}</Th>
              </tr>
            </thead>
            <tbody>
              {supervisor.children.map((child) => (
                <tr key={child.name} data-process={child.name}>
                  <Td className="font-medium">{child.name}</Td>
                  <Td>
                    <Badge tone={TONE[child.state]}>{t(`states.${child.state}`)}</Badge>
                    {child.state === "restarting" && child.nextRestartAt ? (
                      <span className="ml-2 text-xs text-muted-foreground">
                        {t("nextTry", { at: instant(child.nextRestartAt) })}
                      </span>
                    ) : null}
                  </Td>
                  <Td>{format.number(child.restarts, "integer")}</Td>
                  <Td>{lastExit(child)}</Td>
                  <Td>{instant(child.lastRestartAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      ) : null}
    </Card>
  );
}
