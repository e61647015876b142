// Puts tri-axial samples on a uniform time grid by linear interpolation, so that a model trained
// at one rate (50 Hz) can read devices that sample at 10-200 Hz with jittery timestamps.
// The streaming Resampler (server) and resampleSeries (eval, replay) share one core, so a
// recording resampled whole or frame by frame gives the same samples.

export interface Series {
  t: Float64Array;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
}

export interface ResamplerOptions {
  /** A longer pause between two input samples restarts the grid (default 500 ms). */
  maxGapMs?: number;
}

export const DEFAULT_MAX_GAP_MS = 500;

interface Sample {
  t: number;
  x: number;
  y: number;
  z: number;
}

type Emit = (t: number, x: number, y: number, z: number) => void;

/** Growable columnar output buffer. */
class SeriesBuilder {
  private n = 0;
  private t = new Float64Array(64);
  private x = new Float32Array(64);
  private y = new Float32Array(64);
  private z = new Float32Array(64);

  get length(): number {
    return this.n;
  }

  push(t: number, x: number, y: number, z: number): void {
    if (this.n === this.t.length) this.grow();
    this.t[this.n] = t;
    this.x[this.n] = x;
    this.y[this.n] = y;
    this.z[this.n] = z;
    this.n++;
  }

  clear(): void {
    this.n = 0;
  }

  build(): Series {
    return { t: this.t.slice(0, this.n), x: this.x.slice(0, this.n), y: this.y.slice(0, this.n), z: this.z.slice(0, this.n) };
  }

  private grow(): void {
    const cap = this.t.length * 2;
    const t = new Float64Array(cap);
    t.set(this.t);
    this.t = t;
    for (const k of ['x', 'y', 'z'] as const) {
      const a = new Float32Array(cap);
      a.set(this[k]);
      this[k] = a;
    }
  }
}

/**
 * The interpolation state machine. The grid is anchored at the first sample after a (re)start:
 * grid point k is at origin + k * stepMs (computed, not accumulated, so it never drifts).
 */
class ResamplerCore {
  private prev: Sample | undefined;
  private origin = 0;
  private k = 0;

  constructor(
    readonly stepMs: number,
    readonly maxGapMs: number,
  ) {}

  reset(): void {
    this.prev = undefined;
  }

  /**
   * Feeds one input sample and emits the grid points it completes. When the sample restarts the
   * grid after a gap, `onRestart` runs before the new grid's first point is emitted.
   */
  feed(s: Sample, emit: Emit, onRestart: () => void): void {
    const prev = this.prev;
    if (!Number.isFinite(s.t)) return;
    if (prev && s.t <= prev.t) return; // duplicate (or out-of-order) timestamp: dropped
    if (!prev || s.t - prev.t > this.maxGapMs) {
      if (prev) onRestart();
      this.prev = { ...s };
      this.origin = s.t;
      this.k = 1;
      emit(s.t, s.x, s.y, s.z);
      return;
    }
    for (;;) {
      const g = this.origin + this.k * this.stepMs;
      if (g > s.t) break;
      const f = (g - prev.t) / (s.t - prev.t);
      emit(g, prev.x + f * (s.x - prev.x), prev.y + f * (s.y - prev.y), prev.z + f * (s.z - prev.z));
      this.k++;
    }
    this.prev = { ...s };
  }
}

function checkRate(targetHz: number): void {
  if (!(targetHz > 0) || !Number.isFinite(targetHz)) throw new RangeError(`target rate must be a positive number of Hz (got ${targetHz})`);
}

function checkLengths(t: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>): void {
  if (x.length !== t.length || y.length !== t.length || z.length !== t.length) {
    throw new RangeError(`t, x, y and z must have the same length (got ${t.length}, ${x.length}, ${y.length}, ${z.length})`);
  }
}

/**
 * Streaming linear-interpolation resampler to a uniform grid at targetHz. Input timestamps in ms
 * must be non-decreasing (reordering happens upstream); duplicates (and any sample not later than
 * the previous one) are dropped. A gap longer than maxGapMs restarts the grid and sets
 * `gap: true` on the result so that windowing restarts: the result then holds only the samples
 * of the new grid (the few that would have ended the old grid in the same push are dropped, so a
 * consumer that simply restarts its window on `gap` never mixes the two sides of a gap).
 */
export class Resampler {
  private readonly core: ResamplerCore;
  private readonly out = new SeriesBuilder();

  constructor(
    readonly targetHz: number,
    opts: ResamplerOptions = {},
  ) {
    checkRate(targetHz);
    this.core = new ResamplerCore(1000 / targetHz, opts.maxGapMs ?? DEFAULT_MAX_GAP_MS);
  }

  push(t: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>): Series & { gap: boolean } {
    checkLengths(t, x, y, z);
    this.out.clear();
    let gap = false;
    const emit: Emit = (gt, gx, gy, gz) => this.out.push(gt, gx, gy, gz);
    const onRestart = () => {
      gap = true;
      this.out.clear(); // points before the gap would end the old grid: a restarted window drops them
    };
    for (let i = 0; i < t.length; i++) this.core.feed({ t: t[i]!, x: x[i]!, y: y[i]!, z: z[i]! }, emit, onRestart);
    return { ...this.out.build(), gap };
  }

  reset(): void {
    this.core.reset();
    this.out.clear();
  }
}

/**
 * Whole recording at once (eval, replay): same algorithm as Resampler. Gaps restart the grid, so
 * the output `t` jumps there; callers that window the result must not cross such a jump (see
 * gapStarts / contiguousRuns in windowing.ts).
 */
export function resampleSeries(
  s: { t: ArrayLike<number>; x: ArrayLike<number>; y: ArrayLike<number>; z: ArrayLike<number> },
  targetHz: number,
  opts: ResamplerOptions = {},
): Series {
  checkRate(targetHz);
  checkLengths(s.t, s.x, s.y, s.z);
  const core = new ResamplerCore(1000 / targetHz, opts.maxGapMs ?? DEFAULT_MAX_GAP_MS);
  const out = new SeriesBuilder();
  const emit: Emit = (gt, gx, gy, gz) => out.push(gt, gx, gy, gz);
  const onRestart = () => {};
  for (let i = 0; i < s.t.length; i++) core.feed({ t: s.t[i]!, x: s.x[i]!, y: s.y[i]!, z: s.z[i]! }, emit, onRestart);
  return out.build();
}
