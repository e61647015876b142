// Cuts labelled recordings into model windows: resample to the model's rate, carry each sample's
// label across, and keep only windows that lie wholly inside one labelled run and one
// contiguous stretch of the time grid (no gap inside).
import type { HarLabel, Recording } from '../readers/recording.js';
import { resampleSeries, type ResamplerOptions, type Series } from './resampler.js';

export interface LabelledSeries extends Series {
  labels: HarLabel[];
}

/**
 * Resamples a recording to a uniform grid at rateHz; each grid point takes the label of the
 * input sample nearest in time.
 */
export function toUniformRate(rec: Pick<Recording, 't' | 'x' | 'y' | 'z' | 'labels'>, rateHz: number, opts: ResamplerOptions = {}): LabelledSeries {
  const s = resampleSeries(rec, rateHz, opts);
  return { ...s, labels: nearestLabels(rec.t, rec.labels, s.t) };
}

/** For each time in `at` (non-decreasing), the label of the nearest time in `t` (non-decreasing). */
export function nearestLabels(t: ArrayLike<number>, labels: readonly HarLabel[], at: ArrayLike<number>): HarLabel[] {
  const out: HarLabel[] = new Array(at.length);
  let j = 0;
  for (let i = 0; i < at.length; i++) {
    const q = at[i]!;
    while (j + 1 < t.length && t[j + 1]! <= q) j++;
    const next = j + 1 < t.length ? j + 1 : j;
    out[i] = labels[Math.abs(t[next]! - q) < Math.abs(q - t[j]!) ? next : j];
  }
  return out;
}

export interface WindowSpec {
  size: number;
  hop: number;
  rateHz: number;
}

export interface WindowRef {
  start: number;
  label: Exclude<HarLabel, undefined>;
}

export interface LabelRun {
  /** First sample. */
  start: number;
  /** One past the last sample. */
  end: number;
  label: Exclude<HarLabel, undefined>;
}

/**
 * The maximal runs of one defined label on an unbroken grid (consecutive samples 1000/rateHz ms
 * apart, within 1%): a window inside one run lies inside one labelled segment and has no gap.
 */
export function labelRuns(s: { t: ArrayLike<number>; labels: readonly HarLabel[] }, rateHz: number): LabelRun[] {
  const step = 1000 / rateHz;
  const out: LabelRun[] = [];
  const n = s.t.length;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    const breaks = i === n || s.labels[i] !== s.labels[start] || Math.abs(s.t[i]! - s.t[i - 1]! - step) > step * 0.01;
    if (!breaks) continue;
    const label = s.labels[start];
    if (label !== undefined) out.push({ start, end: i, label });
    start = i;
  }
  return out;
}

/** Windows of `size` samples every `hop` samples, counted from the start of each label run. */
export function labelledWindows(s: { t: ArrayLike<number>; labels: readonly HarLabel[] }, spec: WindowSpec): WindowRef[] {
  const out: WindowRef[] = [];
  for (const run of labelRuns(s, spec.rateHz)) {
    for (let start = run.start; start + spec.size <= run.end; start += spec.hop) out.push({ start, label: run.label });
  }
  return out;
}

/** Copies windows into the classifier layout: per window, per sample, [x, y, z]. */
export function interleaveWindows(s: Series, starts: readonly number[], size: number): Float32Array {
  const out = new Float32Array(starts.length * size * 3);
  let o = 0;
  for (const start of starts) {
    for (let i = start; i < start + size; i++) {
      out[o++] = s.x[i]!;
      out[o++] = s.y[i]!;
      out[o++] = s.z[i]!;
    }
  }
  return out;
}
