// Ground truth of a served window, judged from the recording itself, the way eval judges it:
// a window counts only when every sample inside it carries the same basic-activity label
// ('stairs' included). The server also reports a `truth`, by majority with a configurable
// agreement; scoring here does not depend on that setting.
import type { HarLabel } from '../data/readers/recording.js';

export class WindowTruth {
  private readonly halfPeriodMs: number;

  /**
   * @param t sample times of the recording, ms, non-decreasing
   * @param labels label per sample
   * @param windowMs span from a window's first to its last sample, ms ((size - 1) / rate)
   */
  constructor(
    private readonly t: ArrayLike<number>,
    private readonly labels: readonly HarLabel[],
    private readonly windowMs: number,
    inputRateHz: number,
  ) {
    this.halfPeriodMs = 500 / inputRateHz;
  }

  /** The label of the window ending at device time `windowEnd`, or undefined when mixed/unlabelled. */
  at(windowEnd: number): HarLabel {
    const from = this.lowerBound(windowEnd - this.windowMs - this.halfPeriodMs);
    let label: HarLabel;
    let any = false;
    for (let i = from; i < this.t.length && this.t[i]! <= windowEnd + this.halfPeriodMs; i++) {
      const l = this.labels[i];
      if (l === undefined) return undefined;
      if (any && l !== label) return undefined;
      label = l;
      any = true;
    }
    return label;
  }

  /** First index with t >= value. */
  private lowerBound(value: number): number {
    let lo = 0;
    let hi = this.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
