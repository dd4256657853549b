import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Table, Td, Th } from "~/components/ui/table";
import type { TSupervisorHealth } from "~/server/health/supervisor-state";

type TChild = TSupervisorHealth["children"][number];

const STATE: Record<TChild["state"], { label: string; tone: "success" | "warning" | "danger" | "neutral" }> = {
  starting: { label: "Starting", tone: "warning" },
  running: { label: "Running", tone: "success" },
  restarting: { label: "Restarting", tone: "warning" },
  stopping: { label: "Stopping", tone: "neutral" },
  stopped: { label: "Stopped", tone: "neutral" },
  failed: { label: "Gave up", tone: "danger" },
};

/** An instant in UTC, to the second, the same on the server and in every browser. */
function formatInstant(value: string | null): string {
  return value ? `${value.slice(0, 19).replace("T", " ")} UTC` : "—";
}

function describeLastExit(child: TChild): string {
  if (!child.lastExit) return "—";
  const how = child.lastExit.signal ? `killed by ${child.lastExit.signal}` : `exit code ${child.lastExit.code ?? "?"}`;
  return `${how}, ${formatInstant(child.lastExit.at)}`;
}

/**
 * Web and worker as the `npm start` supervisor sees them (state, restarts, last exit), the
 * same figures as `supervisor` in /api/health. Under a process manager there is no supervisor.
 */
export function ProcessStatus({ supervisor }: { supervisor: TSupervisorHealth | null }) {
  return (
    <Card>
      <CardHeader
        title="Processes"
        description={
          supervisor
            ? "Run by npm start, which restarts a process that stops on its own, with backoff, and gives up on a crash loop."
            : "Not run by npm start: restarting the web and the worker is up to your process manager."
        }
      />
      {supervisor ? (
        <CardBody>
          {supervisor.error ? <p className="text-sm text-destructive">{supervisor.error}</p> : null}
          <Table data-testid="process-status">
            <thead>
              <tr>
                <Th>Process</Th>
                <Th>State</Th>
                <Th>Restarts</Th>
                <Th>Last exit</Th>
                <Th>Last restart</Th>
              </tr>
            </thead>
            <tbody>
              {supervisor.children.map((child) => (
                <tr key={child.name} data-process={child.name}>
                  <Td className="font-medium">{child.name}</Td>
                  <Td>
                    <Badge tone={STATE[child.state].tone}>{STATE[child.state].label}</Badge>
                    {child.state === "restarting" && child.nextRestartAt ? (
                      <span className="ml-2 text-xs text-muted-foreground">
                        next try {formatInstant(child.nextRestartAt)}
                      </span>
                    ) : null}
                  </Td>
                  <Td>{child.restarts}</Td>
                  <Td>{describeLastExit(child)}</Td>
                  <Td>{formatInstant(child.lastRestartAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      ) : null}
    </Card>
  );
}
