// Latencies a load generator collects: server-side (prediction.latencyMs: last sample in ->
// label out) and client-side (frame holding the last sample sent -> prediction received).
// Reuses the server's RollingSamples; a large capacity keeps a whole benchmark run.
import { RollingSamples } from '../lib/rolling-samples.js';

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export class LatencyLog {
  readonly server: RollingSamples;
  readonly client: RollingSamples;

  constructor(capacity = 1 << 18) {
    this.server = new RollingSamples(capacity);
    this.client = new RollingSamples(capacity);
  }

  add(serverMs: number | undefined, clientMs: number | undefined): void {
    if (serverMs !== undefined && Number.isFinite(serverMs)) this.server.add(serverMs);
    if (clientMs !== undefined && Number.isFinite(clientMs)) this.client.add(clientMs);
  }

  clear(): void {
    this.server.clear();
    this.client.clear();
  }
}

export function percentiles(samples: RollingSamples): Percentiles {
  return { count: samples.count, p50: samples.percentile(50), p95: samples.percentile(95), p99: samples.percentile(99) };
}
