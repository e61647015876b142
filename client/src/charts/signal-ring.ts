// Fixed-capacity ring buffer of accelerometer samples (t in ms, x/y/z in g). Preallocated typed
// arrays, so an hour of streaming allocates nothing after start-up.

export class SignalRing {
  readonly t: Float64Array;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly z: Float32Array;
  /** Index where the next sample goes. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity);
    this.x = new Float32Array(capacity);
    this.y = new Float32Array(capacity);
    this.z = new Float32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the newest sample, or NaN when empty. */
  get lastTime(): number {
    return this.count === 0 ? NaN : this.t[(this.head - 1 + this.capacity) % this.capacity]!;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /**
   * Appends samples. A timestamp far behind the newest one means the device restarted its clock
   * (reconnect, new replay): the old samples are dropped rather than drawn out of order.
   */
  push(t: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>): void {
    const n = Math.min(t.length, x.length, y.length, z.length);
    for (let i = 0; i < n; i++) {
      const ti = t[i]!;
      if (this.count > 0 && ti < this.lastTime - 1000) this.clear();
      this.t[this.head] = ti;
      this.x[this.head] = x[i]!;
      this.y[this.head] = y[i]!;
      this.z[this.head] = z[i]!;
      this.head = (this.head + 1) % this.capacity;
      if (this.count < this.capacity) this.count++;
    }
  }

  /** Physical index of the i-th oldest sample (0 = oldest). */
  index(i: number): number {
    return (this.head - this.count + i + this.capacity) % this.capacity;
  }
}
