/** One figure of a benchmark, as a JSON line on standard output. */
export function report(bench: string, metric: string, value: number, extra: Record<string, unknown> = {}) {
  process.stdout.write(`${JSON.stringify({ bench, metric, value: Math.round(value * 100) / 100, ...extra })}\n`);
}

/** Progress and context, on standard error (never mixed into the figures). */
export function note(message: string) {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
