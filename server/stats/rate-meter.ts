// Events per second over a sliding span of whole-second buckets (windows/s on dashboards).

export class RateMeter {
  private readonly buckets: Float64Array;
  private readonly bucketSecond: Float64Array;

  constructor(
    private readonly spanSeconds = 5,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(spanSeconds >= 1) || !Number.isInteger(spanSeconds)) throw new RangeError(`spanSeconds must be a whole number >= 1 (got ${spanSeconds})`);
    this.buckets = new Float64Array(spanSeconds + 1);
    this.bucketSecond = new Float64Array(spanSeconds + 1).fill(-1);
  }

  record(count = 1): void {
    const second = Math.floor(this.now() / 1000);
    const i = second % this.buckets.length;
    if (this.bucketSecond[i] !== second) {
      this.bucketSecond[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i] += count;
  }

  /** Mean rate over the last `spanSeconds` complete seconds. */
  perSecond(): number {
    const current = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      const s = this.bucketSecond[i]!;
      if (s < current && s >= current - this.spanSeconds) sum += this.buckets[i]!;
    }
    return sum / this.spanSeconds;
  }
}
