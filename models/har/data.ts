// Turns labelled recordings into training and validation sets: a split by subject (never by
// window, which would leak a person's gait into validation), the labelled runs to sample
// training windows from, and fresh augmented windows every epoch.
import type { Recording } from '../../data/readers/recording.js';
import { labelRuns, toUniformRate, type LabelledSeries } from '../../data/signal/windowing.js';
import { augmentWindow, DEFAULT_AUGMENT, HAR_RANDOM, type AugmentConfig } from './augmentation.js';
import { placementCode } from './features.js';
import { createRandom } from '../../lib/random.js';

/** A stretch of one recording with a single class label on an unbroken grid. */
export interface LabelledRun {
  series: LabelledSeries;
  start: number;
  end: number;
  /** Class index; -1 for 'stairs' (a data set that does not tell up from down). */
  classIndex: number;
  /** Classes a window of this run is right to be called: [classIndex], or both stairs classes. */
  targets: readonly number[];
  /** placementCode of the recording (-1: unknown). */
  placement: number;
  /** A moving class (walking, stairs, jogging): orientation does not matter for it. */
  moving: boolean;
}

const MOVING: ReadonlySet<string> = new Set(['walking', 'upstairs', 'downstairs', 'stairs', 'jogging']);
const STAIRS_CLASSES = ['upstairs', 'downstairs'];

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

/**
 * The labelled runs (at rateHz) that can hold at least one window of `minLength` samples. Labels
 * the classes lack are skipped; 'stairs' runs count when the classes have both stairs classes.
 */
export function labelledRuns(recs: readonly Recording[], classes: readonly string[], rateHz: number, minLength: number): LabelledRun[] {
  const runs: LabelledRun[] = [];
  const stairs = STAIRS_CLASSES.map((c) => classes.indexOf(c));
  for (const rec of recs) {
    const series = toUniformRate(rec, rateHz);
    const placement = placementCode(rec.placement);
    for (const run of labelRuns(series, rateHz)) {
      if (run.end - run.start < minLength) continue;
      const classIndex = classes.indexOf(run.label);
      const targets = classIndex >= 0 ? [classIndex] : run.label === 'stairs' && stairs.every((i) => i >= 0) ? stairs : undefined;
      if (targets) runs.push({ series, start: run.start, end: run.end, classIndex, targets, placement, moving: MOVING.has(run.label) });
    }
  }
  return runs;
}

export interface EpochBatch {
  /** [n, size, 3] interleaved, in g. */
  x: Float32Array;
  /** Class index per window; -1 for 'stairs' (either stairs class: see `targets`). */
  y: Int32Array;
  /** The classes each window is right to be called. */
  targets: (readonly number[])[];
  /** placementCode the network is told per window (-1: unknown, also for dropped-out ones). */
  placements: Int8Array;
  n: number;
}

/**
 * One epoch of augmented training windows: from every run, windows every `hop` samples from a
 * random offset, each distorted independently, then shuffled. Seeded by (seed, epoch), so a
 * resumed run sees the same data as an uninterrupted one.
 */
export function sampleEpoch(
  runs: readonly LabelledRun[],
  opts: {
    size: number;
    hop: number;
    seed: number;
    epoch: number;
    augment?: AugmentConfig;
    /** Share of windows whose placement is hidden (the network must cope with unknown). */ placementDropout?: number;
  },
): EpochBatch {
  const rng = createRandom((opts.seed * 100003 + opts.epoch * 7919) >>> 0, HAR_RANDOM);
  const cfg = opts.augment ?? DEFAULT_AUGMENT;
  const picks: { run: LabelledRun; start: number }[] = [];
  for (const run of runs) {
    for (let start = run.start + rng.below(opts.hop); start + opts.size <= run.end; start += opts.hop) picks.push({ run, start });
  }
  rng.shuffle(picks);
  const n = picks.length;
  const x = new Float32Array(n * opts.size * 3);
  const y = new Int32Array(n);
  const targets: (readonly number[])[] = new Array(n);
  const placements = new Int8Array(n);
  const dropout = opts.placementDropout ?? 0;
  picks.forEach((p, i) => {
    augmentWindow(p.run.series, p.start, p.run.end, opts.size, rng, cfg, x, i * opts.size * 3, p.run);
    y[i] = p.run.classIndex;
    targets[i] = p.run.targets;
    placements[i] = rng.next() < dropout ? -1 : p.run.placement;
  });
  return { x, y, targets, placements, n };
}
