// Bytes a connection may have decoded per second (a token bucket on bytes), every socket endpoint.
// A frame over the budget is dropped before it is decoded, and the socket is not read again until
// the budget has refilled for it: TCP flow control then holds the sender back, so a client sending
// 1 MiB frames as fast as it can costs the server what its budget allows, not what it sends.
// Defaults sit far above any honest client (server/README.md, Limits): a 200 Hz phone sends
// ~12 KB/s of JSON.
import type { WebSocket } from 'ws';
import { TokenBucket } from '../../lib/token-bucket.js';

/** Longest pause of a socket's reading, ms (well inside the 30 s heartbeat). */
const MAX_PAUSE_MS = 5000;

export interface ReadBudgetLimits {
  bytesPerSec: number;
  /** At least the endpoint's largest frame (a frame above the burst would never fit). */
  burstBytes: number;
}

export class ReadBudget {
  private readonly bucket: TokenBucket;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames dropped for the budget. */
  dropped = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly limits: ReadBudgetLimits,
  ) {
    this.bucket = new TokenBucket(limits.bytesPerSec, limits.burstBytes);
    ws.once('close', () => clearTimeout(this.resumeTimer));
  }

  /** True when a frame of `bytes` may be decoded; else it is to be dropped, and reading pauses. */
  admit(bytes: number): boolean {
    if (this.bucket.take(bytes)) return true;
    this.dropped++;
    if (!this.resumeTimer) {
      this.ws.pause();
      const waitMs = Math.min(MAX_PAUSE_MS, (Math.min(bytes, this.limits.burstBytes) / this.limits.bytesPerSec) * 1000);
      this.resumeTimer = setTimeout(() => {
        this.resumeTimer = undefined;
        this.ws.resume();
      }, waitMs);
      this.resumeTimer.unref?.();
    }
    return false;
  }
}
