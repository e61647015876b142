// Rate limiting: a bucket of `burst` tokens refilled at `perSecond`. Devices spend one token per
// sample; error replies one token each. DeviceRateLimits keeps a device's buckets by device id,
// so that reconnecting does not refill them.

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

export interface DeviceBuckets {
  samples: TokenBucket;
  frames: TokenBucket;
}

export interface DeviceRateLimitOptions {
  samplesPerSec: number;
  burstSamples: number;
  framesPerSec: number;
  burstFrames: number;
  /** Most device ids remembered; beyond it the oldest are forgotten (default 10,000). */
  maxDevices?: number;
  now?: () => number;
}

/** How often, at most, buckets that are full again are swept out, ms. */
const SWEEP_EVERY_MS = 10_000;

/**
 * Every device id's buckets, kept after its connection closes until they are full again (at most
 * burst / rate: 20 s by default) — a device that reconnects finds them as it left them, instead
 * of a fresh burst per connection.
 */
export class DeviceRateLimits {
  private readonly devices = new Map<string, DeviceBuckets>();
  private readonly maxDevices: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(private readonly opts: DeviceRateLimitOptions) {
    this.maxDevices = opts.maxDevices ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
    this.lastSweep = this.now();
  }

  /** The device's buckets (look them up per frame: a connection must not hold on to a swept one). */
  of(deviceId: string): DeviceBuckets {
    let buckets = this.devices.get(deviceId);
    if (buckets) return buckets;
    this.sweep();
    const { samplesPerSec, burstSamples, framesPerSec, burstFrames } = this.opts;
    buckets = { samples: new TokenBucket(samplesPerSec, burstSamples, this.now), frames: new TokenBucket(framesPerSec, burstFrames, this.now) };
    this.devices.set(deviceId, buckets);
    return buckets;
  }

  get size(): number {
    return this.devices.size;
  }

  /** Forgets full buckets (now and then), and the oldest ids beyond maxDevices. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now;
      for (const [id, b] of this.devices) if (b.samples.full && b.frames.full) this.devices.delete(id);
    }
    // Only under a churn of fresh ids (each needing a successful hello): the oldest lose their state.
    for (const id of this.devices.keys()) {
      if (this.devices.size < this.maxDevices) break;
      this.devices.delete(id);
    }
  }
}
