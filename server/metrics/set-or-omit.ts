// Gauges whose value may be unknown (no full GC yet, no inference worker): the series is left
// out rather than set to NaN. Prometheus reads an absent series as "no data"; NaN poisons sums
// and alerts.
import type { Gauge } from 'prom-client';

/** Sets an unlabelled gauge, or removes its series when the value is unknown or not finite. */
export function setOrOmit(g: Gauge, value: number | undefined): void {
  if (value === undefined || !Number.isFinite(value)) g.remove({});
  else g.set(value);
}
