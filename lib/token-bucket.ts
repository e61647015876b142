// Rate limiting: a bucket of `burst` tokens refilled at `perSecond`. Devices spend one token per
// sample (server/devices/device-rate-limits.ts keeps a device's buckets across reconnects); error
// replies, dashboard and text frames, decoded bytes and text generations have buckets of their own.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes `cost` tokens if there are that many; false (taking none) otherwise. */
  take(cost = 1): boolean {
    this.refill();
    if (cost > this.tokens) return false;
    this.tokens -= cost;
    return true;
  }

  /** Full again (a new bucket would be the same): nothing is lost by forgetting it. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}
