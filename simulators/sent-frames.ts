// Client-side latency: a bounded ring of the frames a device sent (the device time of each frame's
// last sample, and when it was sent). A prediction for a window ending at T is timed from the
// frame that carried T; predictions arrive in window order, so earlier frames can be forgotten.
export class SentFrames {
  private readonly lastT: Float64Array;
  private readonly sentAt: Float64Array;
  private head = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.lastT = new Float64Array(capacity);
    this.sentAt = new Float64Array(capacity);
  }

  /** Remembers a frame; the oldest is forgotten when the ring is full. */
  track(lastT: number, at: number): void {
    if (this.size === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    const i = (this.head + this.size) % this.capacity;
    this.lastT[i] = lastT;
    this.sentAt[i] = at;
    this.size++;
  }

  /** ms since the frame holding `windowEnd` was sent (undefined when no tracked frame holds it). */
  latencyFor(windowEnd: number, now = performance.now()): number | undefined {
    while (this.size > 0 && this.lastT[this.head]! < windowEnd - 1e-6) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    return this.size > 0 ? now - this.sentAt[this.head]! : undefined;
  }
}
