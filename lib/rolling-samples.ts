// The last N values of a measurement (latencies, waits, run times) in a fixed ring, so that
// percentiles reflect recent behaviour and memory stays constant however long the server runs.
import { nearestRank } from './percentile.js';

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
}

export class RollingSamples {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity = 1024) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1 (got ${capacity})`);
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }

  get count(): number {
    return this.filled;
  }

  /** A copy of the values held, in no particular order. */
  toArray(): number[] {
    return Array.from(this.values.subarray(0, this.filled));
  }

  /** Nearest-rank percentile (0-100) of the values held; 0 when empty. Sorts a copy: call it rarely. */
  percentile(p: number): number {
    return nearestRank(this.values.slice(0, this.filled).sort(), p);
  }

  mean(): number {
    if (this.filled === 0) return 0;
    let sum = 0;
    for (let i = 0; i < this.filled; i++) sum += this.values[i]!;
    return sum / this.filled;
  }

  summary(): Summary {
    if (this.filled === 0) return { count: 0, mean: 0, p50: 0, p99: 0 };
    const sorted = this.values.slice(0, this.filled).sort();
    return { count: this.filled, mean: this.mean(), p50: nearestRank(sorted, 50), p99: nearestRank(sorted, 99) };
  }

  clear(): void {
    this.next = 0;
    this.filled = 0;
  }
}
