"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";

/**
 * AI replies: which provider answers (Gemini with the deployment's key, else the offline
 * provider), the model (Settings override, else GEMINI_MODEL), and a "test key" button that
 * makes one real request and says plainly whether it worked.
 */
export function AiProviderCard({
  aiModel,
  error,
  canWrite,
}: {
  aiModel: string;
  error: string | undefined;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const status = useQuery(trpc.settings.ai.queryOptions());
  const test = useMutation(trpc.settings.testAi.mutationOptions());
  const gemini = status.data?.provider === "gemini";
  return (
    <Card>
      <CardHeader
        title="AI replies"
        description="The model that writes replies for rules with an AI reply action, shaped by each contact's context profile."
      />
      <CardBody className="grid gap-4 md:grid-cols-2">
        <div className="space-y-2 text-sm" aria-live="polite">
          <div className="flex items-center gap-2">
            <span className="text-muted-foreground">Provider</span>
            {status.data ? (
              <Badge tone={gemini ? "primary" : "neutral"}>{gemini ? "Gemini" : "Offline (profile only)"}</Badge>
            ) : (
              <span className="text-muted-foreground">…</span>
            )}
          </div>
          {gemini ? (
            <p>
              Model <code>{status.data?.model}</code>
              {status.data?.baseUrl ? (
                <>
                  {" "}
                  via <code>{status.data.baseUrl}</code>
                </>
              ) : null}
            </p>
          ) : status.data ? (
            <p className="text-muted-foreground">
              No <code>GEMINI_API_KEY</code> is set, so AI replies come from the profile: its business facts, a greeting
              and the fallback text. Set the key in the environment of the web and the worker to use Gemini.
            </p>
          ) : null}
          {status.error ? <Alert tone="error">{describeError(status.error).message}</Alert> : null}
        </div>
        <Field
          label="Gemini model"
          htmlFor="aiModel"
          error={error}
          hint="Empty: the deployment's GEMINI_MODEL. Save the settings before testing a new model."
        >
          <Input id="aiModel" name="aiModel" defaultValue={aiModel} placeholder="gemini-3.8-flash" />
        </Field>
        {canWrite ? (
          <div className="space-y-2 md:col-span-2">
            <Button variant="secondary" disabled={test.isPending || !status.data} onClick={() => test.mutate()}>
              {test.isPending ? "Testing…" : "Test key"}
            </Button>
            {test.data ? (
              test.data.ok ? (
                <Alert tone="success">
                  The key works: {test.data.model} answered in {test.data.latencyMs} ms.
                </Alert>
              ) : (
                <Alert tone="error">{test.data.reason}</Alert>
              )
            ) : null}
            {test.error ? <Alert tone="error">{describeError(test.error).message}</Alert> : null}
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
