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
  /**
   * Grid points per input sample, on average (default: no limit). Filling the pause before a
   * sample spends credit that every input sample earns (this many points) and that holds at most
   * what PAUSES_IN_CREDIT pauses of maxGapMs need; a pause the credit cannot pay for restarts the
   * grid instead of being filled. So the output never exceeds this multiple of the input (plus that credit): a
   * stream of samples just under maxGapMs apart cannot turn each sample into ~maxGapMs/step points.
   */
  maxPointsPerSample?: number;
}

export const DEFAULT_MAX_GAP_MS = 500;
/** Pauses of maxGapMs in a row that a full grid-point credit fills (a phone that stalls twice). */
export const PAUSES_IN_CREDIT = 4;

type Emit = (t: number, x: number, y: number, z: number) => void;

/** Capacity a SeriesBuilder keeps between builds (a full 2,000-sample frame fits); a larger one is let go. */
const KEPT_CAPACITY = 4096;

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
    const series = { t: this.t.slice(0, this.n), x: this.x.slice(0, this.n), y: this.y.slice(0, this.n), z: this.z.slice(0, this.n) };
    // One unusually long push must not leave every device holding its buffers for good.
    if (this.t.length > KEPT_CAPACITY) {
      this.n = 0;
      this.t = new Float64Array(64);
      this.x = new Float32Array(64);
      this.y = new Float32Array(64);
      this.z = new Float32Array(64);
    }
    return series;
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
 * The previous sample lives in plain fields: the server feeds every sample of every device
 * through here, so nothing is allocated per sample.
 */
class ResamplerCore {
  private hasPrev = false;
  private pt = 0;
  private px = 0;
  private py = 0;
  private pz = 0;
  private origin = 0;
  private k = 0;
  /** Grid points the input has paid for (see ResamplerOptions.maxPointsPerSample); at most maxCredit. */
  private credit: number;
  private readonly maxCredit: number;

  constructor(
    readonly stepMs: number,
    readonly maxGapMs: number,
    private readonly pointsPerSample = Infinity,
  ) {
    if (!(pointsPerSample > 0)) throw new RangeError(`maxPointsPerSample must be > 0 (got ${pointsPerSample})`);
    this.maxCredit = Number.isFinite(pointsPerSample) ? PAUSES_IN_CREDIT * (Math.ceil(maxGapMs / stepMs) + 1) + pointsPerSample : Infinity;
    this.credit = this.maxCredit;
  }

  reset(): void {
    this.hasPrev = false;
    this.credit = this.maxCredit;
  }

  /**
   * Feeds one input sample and emits the grid points it completes. When the sample restarts the
   * grid after a gap, `onRestart` runs before the new grid's first point is emitted. False when
   * the sample was dropped (not finite, or not later than the previous one).
   */
  feed(t: number, x: number, y: number, z: number, emit: Emit, onRestart: () => void): boolean {
    if (!Number.isFinite(t)) return false;
    if (this.hasPrev && t <= this.pt) return false; // duplicate (or out-of-order) timestamp: dropped
    this.credit = Math.min(this.maxCredit, this.credit + this.pointsPerSample);
    // Grid points this sample completes (approximately: the loop below decides exactly).
    const due = this.hasPrev ? Math.floor((t - this.origin) / this.stepMs) - this.k + 1 : 1;
    if (!this.hasPrev || t - this.pt > this.maxGapMs || due > this.credit) {
      if (this.hasPrev) onRestart();
      this.remember(t, x, y, z);
      this.origin = t;
      this.k = 1;
      this.credit -= 1;
      emit(t, x, y, z);
      return true;
    }
    const { pt, px, py, pz } = this;
    for (;;) {
      const g = this.origin + this.k * this.stepMs;
      if (g > t) break;
      const f = (g - pt) / (t - pt);
      emit(g, px + f * (x - px), py + f * (y - py), pz + f * (z - pz));
      this.k++;
      this.credit -= 1;
    }
    this.remember(t, x, y, z);
    return true;
  }

  private remember(t: number, x: number, y: number, z: number): void {
    this.hasPrev = true;
    this.pt = t;
    this.px = x;
    this.py = y;
    this.pz = z;
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

/** Per-sample labels (ground truth) that follow the samples onto the grid; undefined: none. */
export type Labels = ArrayLike<string | undefined>;

/**
 * Streaming linear-interpolation resampler to a uniform grid at targetHz. Input timestamps in ms
 * must be non-decreasing (reordering happens upstream); duplicates (and any sample not later than
 * the previous one) are dropped. A gap longer than maxGapMs restarts the grid and sets
 * `gap: true` on the result so that windowing restarts: the result then holds only the samples
 * of the new grid (the few that would have ended the old grid in the same push are dropped, so a
 * consumer that simply restarts its window on `gap` never mixes the two sides of a gap).
 * Labels, when given, come out per grid point: the label of the last input sample at or before
 * it. Only the previous sample's label is remembered, so labels cost no memory across pushes,
 * whatever the timestamps do.
 */
export class Resampler {
  private readonly core: ResamplerCore;
  private readonly out = new SeriesBuilder();
  private gap = false;
  /** Labels of this push's grid points (undefined when the push has none). */
  private labelsOut: (string | undefined)[] | undefined;
  /** The sample being fed: its time and label, and the label of the last sample accepted before it. */
  private curT = 0;
  private curLabel: string | undefined;
  private prevLabel: string | undefined;
  // Bound once, not per push.
  private readonly emit: Emit = (gt, gx, gy, gz) => {
    this.out.push(gt, gx, gy, gz);
    this.labelsOut?.push(gt >= this.curT ? this.curLabel : this.prevLabel);
  };
  private readonly onRestart = () => {
    this.gap = true;
    this.out.clear(); // points before the gap would end the old grid: a restarted window drops them
    if (this.labelsOut) this.labelsOut.length = 0;
  };

  constructor(
    readonly targetHz: number,
    opts: ResamplerOptions = {},
  ) {
    checkRate(targetHz);
    this.core = new ResamplerCore(1000 / targetHz, opts.maxGapMs ?? DEFAULT_MAX_GAP_MS, opts.maxPointsPerSample);
  }

  push(t: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>, labels?: Labels): Series & { gap: boolean; labels?: (string | undefined)[] } {
    checkLengths(t, x, y, z);
    if (labels && labels.length !== t.length) throw new RangeError(`one label per sample (got ${labels.length} labels for ${t.length} samples)`);
    this.out.clear();
    this.gap = false;
    this.labelsOut = labels ? [] : undefined;
    for (let i = 0; i < t.length; i++) {
      this.curT = t[i]!;
      this.curLabel = labels?.[i];
      if (this.core.feed(t[i]!, x[i]!, y[i]!, z[i]!, this.emit, this.onRestart)) this.prevLabel = this.curLabel;
    }
    const series = this.out.build() as Series & { gap: boolean; labels?: (string | undefined)[] };
    series.gap = this.gap;
    if (this.labelsOut) series.labels = this.labelsOut;
    this.labelsOut = undefined;
    return series;
  }

  reset(): void {
    this.core.reset();
    this.out.clear();
    this.prevLabel = undefined;
  }
}

/**
 * Whole recording at once (eval, replay): same algorithm as Resampler. Gaps restart the grid, so
 * the output `t` jumps there; callers that window the result must not cross such a jump (see
 * gapStarts / contiguousRuns in windowing.ts).
 */
export function resampleSeries(s: { t: ArrayLike<number>; x: ArrayLike<number>; y: ArrayLike<number>; z: ArrayLike<number> }, targetHz: number, opts: ResamplerOptions = {}): Series {
  checkRate(targetHz);
  checkLengths(s.t, s.x, s.y, s.z);
  const core = new ResamplerCore(1000 / targetHz, opts.maxGapMs ?? DEFAULT_MAX_GAP_MS, opts.maxPointsPerSample);
  const out = new SeriesBuilder();
  const emit: Emit = (gt, gx, gy, gz) => out.push(gt, gx, gy, gz);
  const onRestart = () => {};
  for (let i = 0; i < s.t.length; i++) core.feed(s.t[i]!, s.x[i]!, s.y[i]!, s.z[i]!, emit, onRestart);
  return out.build();
}
