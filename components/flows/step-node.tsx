"use client";

import { Handle, Position, useUpdateNodeInternals, type NodeProps, type Node } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { useEffect } from "react";
import type { TFlowStep } from "~/server/flows/definition";
import { cn } from "~/components/ui/cn";
import { handlesOf } from "./graph";
import { useHandleLabel, useStepTypeLabel } from "./labels";

export type TStepNode = Node<{ step: TFlowStep; isStart: boolean; problems: "error" | "warning" | null }, "step">;

/**
 * A step on the canvas: its type and title, a target handle on the left (where transitions
 * arrive) and one labelled source handle on the right per way out (next, each branch, each menu
 * option, not valid, no answer, error).
 */
export function StepNode({ id, data, selected }: NodeProps<TStepNode>) {
  const t = useTranslations("flows.canvas");
  const typeLabel = useStepTypeLabel();
  const handleLabel = useHandleLabel();
  const { step, isStart, problems } = data;
  const handles = handlesOf(step);
  // React Flow measures handles when a node resizes; a renamed menu option or branch keeps the
  // node's size but changes a handle's id, so it is told to measure again.
  const updateNodeInternals = useUpdateNodeInternals();
  const keys = handles.map((handle) => handle.key).join("\n");
  useEffect(() => updateNodeInternals(id), [id, keys, updateNodeInternals]);
  return (
    <div
      className={cn(
        "w-56 rounded-lg border bg-card text-card-foreground shadow-sm",
        selected ? "border-primary ring-2 ring-primary/40" : "border-border",
        problems === "error" ? "border-destructive" : null,
      )}
      data-step-id={step.id}
    >
      <Handle type="target" position={Position.Left} className="!h-3 !w-3 !bg-muted-foreground" />
      <div className="flex items-center gap-2 border-b border-border px-3 py-1.5 text-xs text-muted-foreground">
        <span className="truncate">{typeLabel(step.type)}</span>
        {isStart ? (
          <span className="ml-auto rounded bg-primary px-1.5 py-0.5 text-[10px] font-semibold text-primary-foreground">
            {t("start")}
          </span>
        ) : null}
        {problems ? (
          <span
            className={cn(
              "ml-auto text-[10px] font-semibold",
              problems === "error" ? "text-destructive" : "text-warning",
            )}
            aria-label={problems === "error" ? t("hasErrors") : t("hasWarnings")}
          >
            {problems === "error" ? "!" : "⚠"}
          </span>
        ) : null}
      </div>
      {/* The builder's own name for the step: not interface text (not translated). */}
      <div className="px-3 py-2 text-sm font-medium break-words" translate="no">
        {step.title || step.id}
      </div>
      {handles.map((handle) => (
        <div key={handle.key} className="relative border-t border-border/60 px-3 py-1 text-right text-xs">
          <span className={handle.target ? "" : "text-muted-foreground"}>{handleLabel(handle)}</span>
          <Handle
            type="source"
            id={handle.key}
            position={Position.Right}
            className="!h-3 !w-3 !bg-primary"
            // The way out is named by the text beside it (and, for the keyboard, by the side
            // panel's "Leads to" select); a handle is a plain div, which may not carry a label.
            title={handleLabel(handle)}
          />
        </div>
      ))}
    </div>
  );
}
