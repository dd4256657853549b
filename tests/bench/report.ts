/** One figure of a benchmark, as a JSON line on standard output. */
export function report(bench: string, metric: string, value: number, extra: Record<string, unknown> = {}) {
  // Two decimals; three significant digits below 1 (a step's evaluation is a few microseconds).
  const shown = Math.abs(value) < 1 && value !== 0 ? Number(value.toPrecision(3)) : Math.round(value * 100) / 100;
  process.stdout.write(`${JSON.stringify({ bench, metric, value: shown, ...extra })}\n`);
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
