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

  /**
   * Spends `cost` even beyond the tokens left (the bucket goes into debt, paid back by the
   * refill) when it is not in debt already; false (spending nothing) otherwise. For costs that
   * may exceed the burst, e.g. one large request body.
   */
  spendOnCredit(cost: number): boolean {
    this.refill();
    if (this.tokens < 0) return false;
    this.tokens -= cost;
    return true;
  }

  /** Seconds until the bucket is out of debt (0 when it is not in debt). */
  get secondsInDebt(): number {
    this.refill();
    return this.tokens < 0 ? -this.tokens / this.perSecond : 0;
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
