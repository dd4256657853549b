/** The agent's note of a flow's hand-off: the step's note, then what the flow collected, one per line. */
export function handoffNoteOf(note: string, variables: Record<string, unknown>): string {
  const collected = Object.entries(variables)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}: ${String(value)}`);
  return [note, ...(collected.length > 0 ? [collected.join("\n")] : [])].filter(Boolean).join("\n\n");
}
