// Turns labelled recordings into training and validation sets: a split by subject (never by
// window, which would leak a person's gait into validation), the labelled runs to sample
// training windows from, and fresh augmented windows every epoch.
import type { Recording } from '../../data/readers/recording.js';
import { labelRuns, toUniformRate, type LabelledSeries } from '../../data/signal/windowing.js';
import { augmentWindow, DEFAULT_AUGMENT, type AugmentConfig } from './augmentation.js';
import { createRng } from './rng.js';

/** A stretch of one recording with a single class label on an unbroken grid. */
export interface LabelledRun {
  series: LabelledSeries;
  start: number;
  end: number;
  classIndex: number;
}

export interface UserSplit {
  train: Recording[];
  validation: Recording[];
}

/** Splits by subject; every recording must carry a user id. */
export function splitByUsers(recs: readonly Recording[], validationUsers: readonly number[]): UserSplit {
  const held = new Set(validationUsers);
  const missing = recs.filter((r) => r.user === undefined);
  if (missing.length) throw new Error(`cannot split by user: ${missing.length} recording(s) have no user id (e.g. ${missing[0]!.id})`);
  const present = new Set(recs.map((r) => r.user!));
  const absent = validationUsers.filter((u) => !present.has(u));
  if (absent.length) throw new Error(`validation user(s) ${absent.join(', ')} not in the data (users: ${[...present].sort((a, b) => a - b).join(', ')})`);
  return { train: recs.filter((r) => !held.has(r.user!)), validation: recs.filter((r) => held.has(r.user!)) };
}

/** The labelled runs (at rateHz) that can hold at least one window of `minLength` samples. */
export function labelledRuns(recs: readonly Recording[], classes: readonly string[], rateHz: number, minLength: number): LabelledRun[] {
  const runs: LabelledRun[] = [];
  for (const rec of recs) {
    const series = toUniformRate(rec, rateHz);
    for (const run of labelRuns(series, rateHz)) {
      const classIndex = classes.indexOf(run.label);
      if (classIndex >= 0 && run.end - run.start >= minLength) runs.push({ series, start: run.start, end: run.end, classIndex });
    }
  }
  return runs;
}

export interface EpochBatch {
  /** [n, size, 3] interleaved, in g. */
  x: Float32Array;
  /** Class index per window. */
  y: Int32Array;
  n: number;
}

/**
 * One epoch of augmented training windows: from every run, windows every `hop` samples from a
 * random offset, each distorted independently, then shuffled. Seeded by (seed, epoch), so a
 * resumed run sees the same data as an uninterrupted one.
 */
export function sampleEpoch(runs: readonly LabelledRun[], opts: { size: number; hop: number; seed: number; epoch: number; augment?: AugmentConfig }): EpochBatch {
  const rng = createRng((opts.seed * 100003 + opts.epoch * 7919) >>> 0);
  const cfg = opts.augment ?? DEFAULT_AUGMENT;
  const picks: { run: LabelledRun; start: number }[] = [];
  for (const run of runs) {
    for (let start = run.start + rng.below(opts.hop); start + opts.size <= run.end; start += opts.hop) picks.push({ run, start });
  }
  rng.shuffle(picks);
  const n = picks.length;
  const x = new Float32Array(n * opts.size * 3);
  const y = new Int32Array(n);
  picks.forEach((p, i) => {
    augmentWindow(p.run.series, p.start, p.run.end, opts.size, rng, cfg, x, i * opts.size * 3);
    y[i] = p.run.classIndex;
  });
  return { x, y, n };
}
