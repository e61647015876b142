// Nearest-rank percentiles: always one of the values (no interpolation), so a p99 of latencies is
// a latency that happened.

/** Nearest-rank percentile (0-100) of values sorted ascending; 0 when empty. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/** Nearest-rank percentile (0-100) of a list in any order; null when empty. */
export function percentileOf(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  return nearestRank(Float64Array.from(values).sort(), p);
}
