// Collects motion samples and cuts them into protocol `samples` frames (one per flush, every
// ~200 ms). Frames carry seq 0, 1, 2… per connection; timestamps are forced non-decreasing.
// Samples read while the socket is down wait here (bounded) for a resumed session.
import type { SamplesMessage } from '../../../../protocol/sensor-messages.js';
import type { MotionSample } from './motion-source.js';

export class SampleBatcher {
  private t: number[] = [];
  private x: number[] = [];
  private y: number[] = [];
  private z: number[] = [];
  private seq = 0;
  private lastT = -Infinity;
  /** Samples dropped because the buffer was full (socket down for a long time). */
  dropped = 0;

  constructor(
    private maxSamplesPerFrame = 2000,
    /** Buffer bound while the socket is down: beyond it the oldest samples are dropped. */
    private readonly maxBuffered = 1000,
  ) {}

  get buffered(): number {
    return this.t.length;
  }

  /** New session: sequence numbers start again at 0; stale samples are discarded. */
  reset(maxSamplesPerFrame?: number): void {
    this.restartSeq();
    this.t = [];
    this.x = [];
    this.y = [];
    this.z = [];
    if (maxSamplesPerFrame !== undefined) this.maxSamplesPerFrame = maxSamplesPerFrame;
  }

  /**
   * New connection of the same session: seq starts again at 0 (the protocol numbers frames per
   * connection) but the samples buffered while offline are kept, so a resumed session gets them.
   */
  restartSeq(): void {
    this.seq = 0;
  }

  setMaxSamplesPerFrame(n: number): void {
    this.maxSamplesPerFrame = n;
  }

  add(sample: MotionSample): void {
    // Event timestamps never go backwards in practice; guarantee it for the server.
    const t = Math.max(sample.t, this.lastT);
    this.lastT = t;
    this.t.push(Math.round(t * 1000) / 1000);
    this.x.push(round(sample.x));
    this.y.push(round(sample.y));
    this.z.push(round(sample.z));
    if (this.t.length > this.maxBuffered) {
      const excess = this.t.length - this.maxBuffered;
      this.t.splice(0, excess);
      this.x.splice(0, excess);
      this.y.splice(0, excess);
      this.z.splice(0, excess);
      this.dropped += excess;
    }
  }

  /** The next frame, or undefined when no samples are waiting. */
  takeFrame(): SamplesMessage | undefined {
    if (this.t.length === 0) return undefined;
    const n = Math.min(this.t.length, this.maxSamplesPerFrame);
    const frame: SamplesMessage = {
      type: 'samples',
      seq: this.seq++,
      t: this.t.splice(0, n),
      x: this.x.splice(0, n),
      y: this.y.splice(0, n),
      z: this.z.splice(0, n),
    };
    return frame;
  }
}

/** Phones report ~4 significant decimals; more only inflates frames. */
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
