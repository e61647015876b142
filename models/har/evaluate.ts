// Evaluating the classifier on labelled recordings: the evaluation windows (model rate, window,
// hop, wholly inside one labelled run), batched prediction, and the robustness variants that
// imitate devices we have no recordings from.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, writeCsv } from '../../data/readers/csv.js';
import type { Recording } from '../../data/readers/recording.js';
import type { Placement } from '../../protocol/sensor-messages.js';
import { interleaveWindows, labelledWindows, toUniformRate } from '../../data/signal/windowing.js';
import type { HarClassifier } from './classifier.js';
import { HAR_RANDOM, rotationAbout } from './augmentation.js';
import { argmaxRows, scoreWindows, type HarMetrics } from './metrics.js';
import { createRandom, type Random } from '../../lib/random.js';

export interface EvalSet {
  /** [n, windowSize, 3] interleaved, in g, at the model rate. */
  windows: Float32Array;
  /** Truth per window: a class name or 'stairs'. */
  truths: string[];
  /** Where the phone was, per window: as told (--placement), else the recording's data set's. */
  placements: (Placement | undefined)[];
  /** The recording each window came from (per-data-set and per-person reports). */
  recordings: Recording[];
  n: number;
  windowSize: number;
}

/**
 * The evaluation windows of recordings, for a model's window size, hop and rate. `placement`
 * overrides what the recordings say (the device's hello would say it).
 */
export function evalWindows(recs: readonly Recording[], spec: { windowSize: number; hop: number; rateHz: number }, placement?: Placement): EvalSet {
  const parts: Float32Array[] = [];
  const truths: string[] = [];
  const placements: (Placement | undefined)[] = [];
  const recordings: Recording[] = [];
  for (const rec of recs) {
    const s = toUniformRate(rec, spec.rateHz);
    const refs = labelledWindows(s, { size: spec.windowSize, hop: spec.hop, rateHz: spec.rateHz });
    parts.push(
      interleaveWindows(
        s,
        refs.map((r) => r.start),
        spec.windowSize,
      ),
    );
    for (const r of refs) {
      truths.push(r.label);
      placements.push(placement ?? rec.placement);
      recordings.push(rec);
    }
  }
  const windows = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    windows.set(p, o);
    o += p.length;
  }
  return { windows, truths, placements, recordings, n: truths.length, windowSize: spec.windowSize };
}

/** The windows of `set` for which `keep` holds (per-data-set reports). */
export function subsetWindows(set: EvalSet, keep: (i: number) => boolean): EvalSet {
  const idx = set.truths.map((_, i) => i).filter(keep);
  const per = set.windowSize * 3;
  const windows = new Float32Array(idx.length * per);
  idx.forEach((i, k) => windows.set(set.windows.subarray(i * per, (i + 1) * per), k * per));
  return { windows, truths: idx.map((i) => set.truths[i]!), placements: idx.map((i) => set.placements[i]), recordings: idx.map((i) => set.recordings[i]!), n: idx.length, windowSize: set.windowSize };
}

/** Predicted class index per window, in batches (bounded memory); read with data() so it runs on webgpu too. */
export async function predictClasses(clf: HarClassifier, set: EvalSet, opts: { batchSize?: number; onBatch?: (done: number) => void } = {}): Promise<number[]> {
  const batch = opts.batchSize ?? 512;
  const per = set.windowSize * 3;
  const k = clf.classes.length;
  const out: number[] = [];
  for (let i = 0; i < set.n; i += batch) {
    const m = Math.min(batch, set.n - i);
    const probs = await clf.predictAsync(set.windows.subarray(i * per, (i + m) * per), m, set.placements.slice(i, i + m));
    out.push(...argmaxRows(probs, k));
    opts.onBatch?.(m);
  }
  return out;
}

export async function evaluateClassifier(
  clf: HarClassifier,
  recs: readonly Recording[],
  opts: { batchSize?: number; onBatch?: (done: number) => void; placement?: Placement } = {},
): Promise<HarMetrics> {
  const set = evalWindows(recs, clf, opts.placement);
  return scoreWindows(clf.classes, set.truths, await predictClasses(clf, set, opts));
}

export const ROBUSTNESS_VARIANTS = ['original', 'rate20', 'negated', 'ms2', 'tilt30'] as const;
export type RobustnessVariant = (typeof ROBUSTNESS_VARIANTS)[number];

export const VARIANT_DESCRIPTIONS: Record<RobustnessVariant, string> = {
  original: 'the recordings as read',
  rate20: 'resampled to 20 Hz (a low-rate phone), then back to the model rate by the eval pipeline',
  negated: 'all three axes negated (the iOS sign convention: gravity reads -1 g where Android reads +1 g)',
  ms2: 'written to csv in m/s² and read back through the csv reader with --units m/s2',
  tilt30: 'each recording turned by 30° about a random axis (seeded by its id): the phone worn at another angle',
};

/** The recordings as a differently behaved device would have produced them. */
export async function robustnessVariant(recs: readonly Recording[], variant: RobustnessVariant): Promise<Recording[]> {
  switch (variant) {
    case 'original':
      return [...recs];
    case 'rate20':
      return recs.map((r) => ({ ...r, ...toUniformRate(r, 20), rateHz: 20 }));
    case 'negated':
      return recs.map((r) => ({ ...r, x: r.x.map((v) => -v), y: r.y.map((v) => -v), z: r.z.map((v) => -v) }));
    case 'tilt30':
      return recs.map((r) => rotateRecording(r, rotationAbout(randomAxis(createRandom(hashId(r.id), HAR_RANDOM)), 30)));
    case 'ms2': {
      const dir = await mkdtemp(join(tmpdir(), 'har-ms2-'));
      try {
        for (const r of recs) await writeCsv(join(dir, `${r.id}.csv`), r, { units: 'm/s2' });
        const back = await readCsv(dir, { units: 'm/s2' });
        const byId = new Map(back.map((b) => [b.id, b]));
        return recs.map((r) => ({ ...byId.get(r.id)!, user: r.user, placement: r.placement, dataset: r.dataset }));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
}

function rotateRecording(r: Recording, m: readonly number[]): Recording {
  const n = r.x.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = r.x[i]!;
    const b = r.y[i]!;
    const c = r.z[i]!;
    x[i] = m[0]! * a + m[1]! * b + m[2]! * c;
    y[i] = m[3]! * a + m[4]! * b + m[5]! * c;
    z[i] = m[6]! * a + m[7]! * b + m[8]! * c;
  }
  return { ...r, x, y, z };
}

function randomAxis(rng: Random): [number, number, number] {
  const v: [number, number, number] = [rng.gaussian(), rng.gaussian(), rng.gaussian()];
  const norm = Math.hypot(...v) || 1;
  return [v[0] / norm, v[1] / norm, v[2] / norm];
}

function hashId(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}
