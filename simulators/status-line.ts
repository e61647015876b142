// One-line fleet status for stderr, and the rates between two snapshots.
import { formatNumber } from '../cli/progress.js';
import type { FleetCounters } from './phone-fleet.js';
import type { LatencyLog } from './latency-log.js';

export function statusLine(now: FleetCounters, before: FleetCounters, seconds: number, recent: LatencyLog): string {
  const rate = (a: number, b: number) => formatNumber((a - b) / Math.max(seconds, 1e-9));
  const s = recent.server.summary();
  const c = recent.client.summary();
  const errors = Object.entries(now.errors)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `phones ${now.connected}/${now.phones}  frames ${rate(now.framesSent, before.framesSent)}/s  predictions ${rate(now.predictions, before.predictions)}/s  ` +
    `latency server p50 ${formatNumber(s.p50)} p99 ${formatNumber(s.p99)} ms, client p50 ${formatNumber(c.p50)} p99 ${formatNumber(c.p99)} ms` +
    (now.reconnects ? `  reconnects ${now.reconnects}` : '') +
    (errors ? `  errors: ${errors}` : '')
  );
}

/** Prints a status line for `fleet` every `everyMs` on stderr; call the returned function to stop. */
export function reportFleetStatus(fleet: { counters(): FleetCounters; recent: LatencyLog }, everyMs: number): () => void {
  let before = fleet.counters();
  let beforeAt = performance.now();
  const timer = setInterval(() => {
    const now = fleet.counters();
    const at = performance.now();
    console.error(statusLine(now, before, (at - beforeAt) / 1000, fleet.recent));
    before = now;
    beforeAt = at;
  }, everyMs);
  return () => clearInterval(timer);
}
