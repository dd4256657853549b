"use client";

/**
 * Placeholder for the flow's Test panel (run the draft in the Simulator, see its trace), built by
 * another part of issue 21; the editor renders it in its "Test" slot.
 */
export function FlowTestPanel(_props: { flowId: string }) {
  return null;
}
