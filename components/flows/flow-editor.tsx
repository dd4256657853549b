"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type ColorMode,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useId, useMemo, useState, useSyncExternalStore } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { cn } from "~/components/ui/cn";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { FLOW_STEP_TYPES, type TFlowDefinition, type TFlowStep, type TFlowTriggers } from "~/server/flows/definition";
import { downloadJson, useFlowImport } from "./flows-list";
import { addStep, connect, handlesOf, removeSteps, replaceStep } from "./graph";
import { useStepTypeLabel } from "./labels";
import { StepForm } from "./step-form";
import { StepNode, type TStepNode } from "./step-node";
import { FlowTestPanel } from "./test-panel";
import { FlowVersions } from "./versions-panel";

const NODE_TYPES = { step: StepNode };

type TDraft = {
  name: string;
  description: string;
  enabled: boolean;
  definition: TFlowDefinition;
  triggers: TFlowTriggers;
};

/** The page's colour theme as React Flow names it (the shell sets `data-theme` when someone picked one). */
function useColorMode(): ColorMode {
  return useSyncExternalStore(
    () => () => undefined,
    () => {
      const theme = document.documentElement.dataset.theme;
      return theme === "dark" || theme === "light" ? theme : "system";
    },
    () => "system",
  );
}

/** The flow editor: the canvas, the side panel, checks, publishing, versions, export and the test slot. */
export function FlowEditor(props: { flowId: string; canWrite: boolean }) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

function Editor({ flowId, canWrite }: { flowId: string; canWrite: boolean }) {
  const t = useTranslations("flows.editor");
  const tc = useTranslations("flows.checks");
  const ta = useTranslations("flows.canvas.aria");
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const typeLabel = useStepTypeLabel();
  const colorMode = useColorMode();
  const flow = useQuery(trpc.flows.get.queryOptions({ id: flowId }));
  const context = useQuery(trpc.flows.editorContext.queryOptions());
  const exported = useQuery({ ...trpc.flows.export.queryOptions({ id: flowId }), enabled: false });
  const [draft, setDraft] = useState<TDraft | null>(null);
  const [dirty, setDirty] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const [note, setNote] = useState("");
  const [panelOpen, setPanelOpen] = useState(false);
  const noteId = useId();
  const { fitView } = useReactFlow();

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
  const load = (saved: TDraft) => {
    setDraft({
      name: saved.name,
      description: saved.description,
      enabled: saved.enabled,
      definition: saved.definition,
      triggers: saved.triggers,
    });
    setDirty(false);
  };
  if (flow.data && draft === null) load(flow.data);

  const save = useMutation(trpc.flows.update.mutationOptions({ onSuccess: (saved) => (load(saved), invalidate()) }));
  const publish = useMutation(trpc.flows.publish.mutationOptions({ onSuccess: () => (setNote(""), invalidate()) }));
  const setEnabled = useMutation(trpc.flows.setEnabled.mutationOptions({ onSuccess: () => invalidate() }));
  const check = useMutation(trpc.flows.check.mutationOptions());
  const importFlow = useFlowImport((id) => router.push(`/flows/${id}`));

  // Leaving with unsaved changes asks first (the browser's own prompt).
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  // The checks run on the definition as drawn, a moment after the last change.
  const definition = draft?.definition;
  const checkDefinition = check.mutate;
  useEffect(() => {
    if (!definition) return;
    const timer = setTimeout(() => checkDefinition({ definition }), 400);
    return () => clearTimeout(timer);
  }, [definition, checkDefinition]);

  const problems = check.data ?? [];
  const errors = problems.filter((problem) => problem.severity === "error");
  const problemsByStep = useMemo(() => {
    const found = new Map<string, "error" | "warning">();
    for (const problem of check.data ?? [])
      if (problem.stepId && found.get(problem.stepId) !== "error") found.set(problem.stepId, problem.severity);
    return found;
  }, [check.data]);

  const nodes: TStepNode[] = useMemo(
    () =>
      (definition?.steps ?? []).map((step) => ({
        id: step.id,
        type: "step" as const,
        position: step.position,
        data: { step, isStart: definition?.start === step.id, problems: problemsByStep.get(step.id) ?? null },
        selected: step.id === selectedId,
        ...(measured[step.id] ? { measured: measured[step.id] } : {}),
      })),
    [definition, selectedId, measured, problemsByStep],
  );
  const edges: Edge[] = useMemo(
    () =>
      (definition?.steps ?? []).flatMap((step) =>
        handlesOf(step).flatMap((handle) =>
          handle.target
            ? [
                {
                  id: `${step.id}:${handle.key}`,
                  source: step.id,
                  sourceHandle: handle.key,
                  target: handle.target,
                  selected: selectedEdges.has(`${step.id}:${handle.key}`),
                  markerEnd: { type: MarkerType.ArrowClosed },
                },
              ]
            : [],
        ),
      ),
    [definition, selectedEdges],
  );

  if (flow.error) return <Alert tone="error">{describeError(flow.error).message}</Alert>;
  if (!draft || !definition) return <p className="text-sm text-muted-foreground">{t("loading")}</p>;

  // Every edit applies to the latest draft (an updater), never to the one this render saw:
  // two edits in a row (a drag's last position and a drop, two selects) both land.
  const change = (next: Partial<TDraft> | ((old: TDraft) => Partial<TDraft>)) => {
    setDraft((old) => (old ? { ...old, ...(typeof next === "function" ? next(old) : next) } : old));
    setDirty(true);
  };
  const edit = (apply: (old: TFlowDefinition) => TFlowDefinition) =>
    change((old) => ({ definition: apply(old.definition) }));
  const selected = definition.steps.find((step) => step.id === selectedId) ?? null;
  const select = (id: string | null) => {
    setSelectedId(id);
    setPanelOpen(id !== null);
  };

  const onNodesChange = (changes: NodeChange<TStepNode>[]) => {
    const positions = new Map<string, { x: number; y: number }>();
    const removed = new Set<string>();
    // Selecting one step deselects the one before, in the same batch, in either order.
    let nextSelected = selectedId;
    for (const item of changes) {
      if (item.type === "dimensions" && item.dimensions) {
        const { width, height } = item.dimensions;
        setMeasured((old) => ({ ...old, [item.id]: { width, height } }));
      } else if (item.type === "position" && item.position && canWrite) {
        positions.set(item.id, { x: Math.round(item.position.x), y: Math.round(item.position.y) });
      } else if (item.type === "select") {
        if (item.selected) nextSelected = item.id;
        else if (item.id === nextSelected) nextSelected = null;
      } else if (item.type === "remove" && canWrite) removed.add(item.id);
    }
    if (nextSelected && removed.has(nextSelected)) nextSelected = null;
    if (nextSelected !== selectedId) select(nextSelected);
    if (positions.size > 0)
      edit((old) => ({
        ...old,
        steps: old.steps.map((step) => {
          const position = positions.get(step.id);
          return position ? { ...step, position } : step;
        }),
      }));
    if (removed.size > 0) edit((old) => removeSteps(old, removed));
  };
  const onEdgesChange = (changes: EdgeChange[]) => {
    const picked = new Set(selectedEdges);
    const cut: [string, string][] = [];
    for (const item of changes) {
      if (item.type === "select") {
        if (item.selected) picked.add(item.id);
        else picked.delete(item.id);
      } else if (item.type === "remove" && canWrite) {
        const [source, ...key] = item.id.split(":");
        cut.push([source!, key.join(":")]);
        picked.delete(item.id);
      }
    }
    setSelectedEdges(picked);
    if (cut.length > 0) edit((old) => cut.reduce((next, [source, key]) => connect(next, source, key, null), old));
  };
  const onConnect = (connection: Connection) => {
    const { source, sourceHandle, target } = connection;
    if (!canWrite || !sourceHandle || source === target) return;
    edit((old) => connect(old, source, sourceHandle, target));
  };
  const add = (type: TFlowStep["type"]) => {
    const count = definition.steps.length;
    const position = { x: 40 + (count % 4) * 280, y: 40 + Math.floor(count / 4) * 260 };
    const added = addStep(definition, type, position);
    const step = added.definition.steps.at(-1)!;
    edit((old) => ({ start: old.start ?? step.id, steps: [...old.steps, step] }));
    select(added.id);
  };
  const focusStep = (id: string | null) => {
    if (!id) return;
    select(id);
    void fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2 });
  };
  const saveDraft = () => save.mutateAsync({ id: flowId, flow: draft });
  const doPublish = async () => {
    if (dirty) await saveDraft();
    publish.mutate({ id: flowId, note });
  };
  const download = async () => {
    if (dirty) await saveDraft();
    const { data } = await exported.refetch();
    if (data) downloadJson(data, draft.name);
  };
  const failure = save.error ?? setEnabled.error ?? importFlow.error;
  const leave = (event: React.MouseEvent) => {
    if (dirty && !window.confirm(t("leaveConfirm"))) event.preventDefault();
  };

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-2">
        <Link href="/flows" className="text-sm text-muted-foreground hover:underline" onClick={leave}>
          {t("back")}
        </Link>
        <h1 className="min-w-0 flex-1 truncate text-2xl font-semibold tracking-tight">{draft.name}</h1>
        {flow.data?.publishedVersion ? (
          <Badge tone="success">{t("publishedVersion", { version: flow.data.publishedVersion })}</Badge>
        ) : (
          <Badge>{t("notPublished")}</Badge>
        )}
        {dirty ? <Badge tone="warning">{t("unsaved")}</Badge> : null}
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={draft.enabled}
            disabled={!canWrite || setEnabled.isPending}
            onChange={(event) => {
              const enabled = event.target.checked;
              setEnabled.mutate(
                { id: flowId, enabled },
                { onSuccess: () => setDraft((old) => (old ? { ...old, enabled } : old)) },
              );
            }}
          />
          {t("enabled")}
        </label>
      </div>
      {failure ? <Alert tone="error">{describeError(failure).message}</Alert> : null}

      <div className="flex flex-wrap items-center gap-2">
        {canWrite ? (
          <Button onClick={() => void saveDraft()} disabled={!dirty || save.isPending}>
            {save.isPending ? t("saving") : t("save")}
          </Button>
        ) : null}
        <Button variant="secondary" onClick={() => void download()}>
          {t("export")}
        </Button>
        {canWrite ? (
          <label className="inline-flex h-9 cursor-pointer items-center rounded-md border border-border px-4 text-sm hover:bg-muted focus-within:outline-2 focus-within:outline-primary">
            {t("import")}
            <input
              type="file"
              accept="application/json,.json"
              className="sr-only"
              onChange={(event) => void importFlow.upload(event.target.files?.[0])}
            />
          </label>
        ) : null}
      </div>

      {canWrite ? (
        <div role="toolbar" aria-label={t("palette")} className="flex flex-wrap gap-1">
          <span className="mr-1 self-center text-sm font-medium">{t("palette")}</span>
          {FLOW_STEP_TYPES.map((type) => (
            <Button key={type} size="sm" variant="secondary" onClick={() => add(type)}>
              + {typeLabel(type)}
            </Button>
          ))}
        </div>
      ) : null}

      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_26rem]">
        <div
          className="h-[60vh] min-h-80 overflow-hidden rounded-lg border border-border bg-card lg:h-[70vh]"
          aria-label={t("canvas")}
          role="region"
        >
          <ReactFlow<TStepNode, Edge>
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onPaneClick={() => select(null)}
            onNodeClick={(_event, node) => select(node.id)}
            nodesDraggable={canWrite}
            nodesConnectable={canWrite}
            deleteKeyCode={canWrite ? ["Delete", "Backspace"] : null}
            colorMode={colorMode}
            fitView
            minZoom={0.2}
            proOptions={{ hideAttribution: true }}
            ariaLabelConfig={{
              "node.a11yDescription.default": ta("node"),
              "node.a11yDescription.keyboardDisabled": ta("nodeKeyboard"),
              "node.a11yDescription.ariaLiveMessage": ({ direction, x, y }) => ta("moved", { direction, x, y }),
              "edge.a11yDescription.default": ta("edge"),
              "controls.ariaLabel": ta("controls"),
              "controls.zoomIn.ariaLabel": ta("zoomIn"),
              "controls.zoomOut.ariaLabel": ta("zoomOut"),
              "controls.fitView.ariaLabel": ta("fitView"),
              "controls.interactive.ariaLabel": ta("interactive"),
              "minimap.ariaLabel": ta("minimap"),
              "handle.ariaLabel": ta("handle"),
            }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>

        <aside
          aria-label={selected ? t("stepPanel") : t("flowPanel")}
          className={cn(
            "flex flex-col gap-4",
            // On a phone the step's panel is a sheet over the canvas.
            selected && panelOpen
              ? "fixed inset-x-0 bottom-0 z-40 max-h-[75vh] overflow-y-auto rounded-t-xl border border-border bg-background p-4 shadow-2xl lg:static lg:max-h-none lg:overflow-visible lg:rounded-none lg:border-0 lg:bg-transparent lg:p-0 lg:shadow-none"
              : selected
                ? "hidden lg:flex"
                : "",
          )}
        >
          {selected ? (
            <Card>
              <CardHeader
                title={t("stepTitle", { type: typeLabel(selected.type) })}
                description={t("stepId", { id: selected.id })}
                actions={
                  <Button size="sm" variant="ghost" className="lg:hidden" onClick={() => setPanelOpen(false)}>
                    {t("closePanel")}
                  </Button>
                }
              />
              <CardBody className="flex flex-col gap-3">
                {canWrite ? (
                  <div className="flex flex-wrap gap-2">
                    {definition.start === selected.id ? (
                      <Badge tone="primary">{t("isStart")}</Badge>
                    ) : (
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => edit((old) => ({ ...old, start: selected.id }))}
                      >
                        {t("makeStart")}
                      </Button>
                    )}
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => {
                        edit((old) => removeSteps(old, new Set([selected.id])));
                        select(null);
                      }}
                    >
                      {t("deleteStep")}
                    </Button>
                  </div>
                ) : null}
                <StepForm
                  step={selected}
                  definition={definition}
                  flowId={flowId}
                  fields={context.data?.fields ?? []}
                  disabled={!canWrite}
                  onChange={(step) => edit((old) => replaceStep(old, selected.id, step))}
                  onConnect={(key, target) => edit((old) => connect(old, selected.id, key, target))}
                />
              </CardBody>
            </Card>
          ) : (
            <FlowSettings draft={draft} canWrite={canWrite} onChange={change} />
          )}
        </aside>
      </div>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader title={tc("title")} description={tc("description")} />
          <CardBody className="flex flex-col gap-2">
            {check.error ? (
              <Alert tone="error">{t("notValid", { message: describeError(check.error).message })}</Alert>
            ) : null}
            {!check.error && check.data && problems.length === 0 ? (
              <p className="text-sm text-muted-foreground">{tc("none")}</p>
            ) : null}
            {problems.length > 0 ? (
              <ul className="flex flex-col gap-1" aria-label={tc("title")}>
                {problems.map((problem, index) => (
                  <li key={index}>
                    <button
                      type="button"
                      className="flex w-full items-start gap-2 rounded-md px-2 py-1 text-left text-sm hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary"
                      onClick={() => focusStep(problem.stepId)}
                    >
                      <Badge tone={problem.severity === "error" ? "danger" : "warning"}>
                        {problem.severity === "error" ? tc("error") : tc("warning")}
                      </Badge>
                      <span className="min-w-0 flex-1">{problem.message}</span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
            {canWrite ? (
              <div className="mt-2 flex flex-wrap items-end gap-2 border-t border-border pt-3">
                <Field label={t("publishNote")} htmlFor={noteId} className="min-w-0 flex-1">
                  <Input id={noteId} value={note} maxLength={500} onChange={(event) => setNote(event.target.value)} />
                </Field>
                <Button
                  onClick={() => void doPublish()}
                  disabled={publish.isPending || errors.length > 0 || Boolean(check.error) || check.isPending}
                  title={errors.length > 0 ? t("publishBlocked") : undefined}
                >
                  {t("publish")}
                </Button>
              </div>
            ) : null}
            {errors.length > 0 && canWrite ? (
              <p className="text-xs text-muted-foreground">{t("publishBlocked")}</p>
            ) : null}
            {publish.error ? <Alert tone="error">{describeError(publish.error).message}</Alert> : null}
            {publish.data ? <Alert tone="success">{t("published", { version: publish.data.version })}</Alert> : null}
          </CardBody>
        </Card>
        <FlowVersions
          flowId={flowId}
          canWrite={canWrite}
          dirty={dirty}
          onRestored={(restored) => {
            load(restored);
            select(null);
          }}
        />
      </div>

      {/* The Test panel (issue 21's simulator run and trace) renders here. */}
      {/* Testing runs HTTP steps: the roles that may edit flows. */}
      {canWrite ? <FlowTestPanel flowId={flowId} onStep={select} /> : null}
    </div>
  );
}

/** The flow's own settings, shown when no step is selected: name, description, triggers. */
function FlowSettings({
  draft,
  canWrite,
  onChange,
}: {
  draft: TDraft;
  canWrite: boolean;
  onChange: (next: Partial<TDraft>) => void;
}) {
  const t = useTranslations("flows.settings");
  const nameId = useId();
  const descriptionId = useId();
  const keywordsId = useId();
  const [keywords, setKeywords] = useState(draft.triggers.keywords.join(", "));
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="flex flex-col gap-3">
        <Field label={t("name")} htmlFor={nameId}>
          <Input
            id={nameId}
            value={draft.name}
            disabled={!canWrite}
            onChange={(event) => onChange({ name: event.target.value })}
          />
        </Field>
        <Field label={t("flowDescription")} htmlFor={descriptionId}>
          <Input
            id={descriptionId}
            value={draft.description}
            disabled={!canWrite}
            onChange={(event) => onChange({ description: event.target.value })}
          />
        </Field>
        <Field label={t("keywords")} htmlFor={keywordsId} hint={t("keywordsHint")}>
          <Input
            id={keywordsId}
            value={keywords}
            disabled={!canWrite}
            placeholder={t("keywordsPlaceholder")}
            onChange={(event) => {
              setKeywords(event.target.value);
              const list = event.target.value
                .split(",")
                .map((word) => word.trim())
                .filter(Boolean);
              onChange({ triggers: { ...draft.triggers, keywords: list } });
            }}
          />
        </Field>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={draft.triggers.firstMessage}
            disabled={!canWrite}
            onChange={(event) => onChange({ triggers: { ...draft.triggers, firstMessage: event.target.checked } })}
          />
          {t("firstMessage")}
        </label>
        <p className="text-xs text-muted-foreground">{t("selectHint")}</p>
      </CardBody>
    </Card>
  );
}
