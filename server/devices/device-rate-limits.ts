// A device's rate limits (samples and frames per second) by device id, so that reconnecting does
// not refill them.
import { TokenBucket } from '../../lib/token-bucket.js';

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
