// The personalised evaluation (`npm run eval -- har … --personalize SECONDS`): for each person (one
// subfolder of --data), starting from the committed model, fit a personal head on the first
// SECONDS seconds of each label the person has (files in name order, samples in time order;
// 'stairs' teaches both stairs classes as one), then score every evaluation window of that person
// that does not overlap a calibration sample — with the personal head, and with the shared model
// for comparison (zero-shot on the same windows). Same head-fitting code as the server's.
import { labelledWindows, interleaveWindows, toUniformRate, type LabelledSeries } from '../../data/signal/windowing.js';
import type { HarLabel, Recording } from '../../data/readers/recording.js';
import type { Placement } from '../../protocol/sensor-messages.js';
import type { HarClassifier } from './classifier.js';
import { argmaxRows, scoreWindows, type HarMetrics } from './metrics.js';
import { applyHead, argmax, CalibrationError, DEFAULT_FIT, fitPersonalHead, type CalibrationWindow, type HeadValidation } from './personal-head.js';

/** Windows (interleaved [x,y,z]), their truths, and where the phone was for each (the recording's placement). */
export interface WindowSet {
  windows: Float32Array;
  truths: string[];
  placements: (Placement | undefined)[];
  n: number;
}

export interface PersonSplit {
  /** Calibration windows (inside the first SECONDS seconds of their label). */
  calibration: WindowSet;
  /** The evaluation windows that touch no calibration sample. */
  scored: WindowSet;
  /** Seconds of calibration data per label actually available. */
  calibrationSeconds: Record<string, number>;
}

export interface SplitSpec {
  windowSize: number;
  hop: number;
  rateHz: number;
  /** Hop between calibration windows (default: the model's hop, as the server collects them). */
  calibrationHop?: number;
}

/**
 * Splits one person's recordings (in file-name order) into calibration windows and scored
 * windows. Scored windows are exactly eval's windows (counted from the start of each labelled
 * run) minus those overlapping a calibration sample.
 */
export function splitPerson(recs: readonly Recording[], seconds: number, spec: SplitSpec): PersonSplit {
  const budget = Math.round(seconds * spec.rateHz);
  const used = new Map<string, number>();
  const calib: { s: LabelledSeries; starts: number[]; labels: string[]; placement: Placement | undefined }[] = [];
  const scored: typeof calib = [];
  for (const rec of recs) {
    const s = toUniformRate(rec, spec.rateHz);
    const inCalibration = new Uint8Array(s.labels.length);
    for (let i = 0; i < s.labels.length; i++) {
      const l = s.labels[i];
      if (l === undefined) continue;
      const u = used.get(l) ?? 0;
      if (u < budget) {
        inCalibration[i] = 1;
        used.set(l, u + 1);
      }
    }
    const calibLabels: HarLabel[] = s.labels.map((l, i) => (inCalibration[i] ? l : undefined));
    const c = labelledWindows({ t: s.t, labels: calibLabels }, { size: spec.windowSize, hop: spec.calibrationHop ?? spec.hop, rateHz: spec.rateHz });
    calib.push({ s, starts: c.map((w) => w.start), labels: c.map((w) => w.label), placement: rec.placement });
    // A prefix sum of calibration samples tells in O(1) whether a window touches one.
    const before = new Int32Array(s.labels.length + 1);
    for (let i = 0; i < s.labels.length; i++) before[i + 1] = before[i]! + inCalibration[i]!;
    const all = labelledWindows(s, { size: spec.windowSize, hop: spec.hop, rateHz: spec.rateHz });
    const kept = all.filter((w) => before[w.start + spec.windowSize]! - before[w.start]! === 0);
    scored.push({ s, starts: kept.map((w) => w.start), labels: kept.map((w) => w.label), placement: rec.placement });
  }
  const gather = (parts: typeof calib): WindowSet => {
    const chunks = parts.map((p) => interleaveWindows(p.s, p.starts, spec.windowSize));
    const windows = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      windows.set(c, o);
      o += c.length;
    }
    const truths = parts.flatMap((p) => p.labels);
    return { windows, truths, placements: parts.flatMap((p) => p.labels.map(() => p.placement)), n: truths.length };
  };
  return {
    calibration: gather(calib),
    scored: gather(scored),
    calibrationSeconds: Object.fromEntries([...used].map(([l, n]) => [l, n / spec.rateHz])),
  };
}

export interface PersonResult {
  person: string;
  n: number;
  zeroShot: number;
  accuracy: number;
  /** Calibration windows per label used for the head. */
  calibrationWindows: Record<string, number>;
  /** Labels left out of calibration (too little data); their windows are still scored. */
  skipped?: string[];
  /** Why no personal head could be fitted (the shared model's predictions are then scored). */
  error?: string;
  /** Time to fit the head, ms (features excluded). */
  fitMs?: number;
  /** The guard's held-out comparison and the head it kept ('shared': the shared model's predictions are scored). */
  validation?: HeadValidation;
}

export interface PersonalizedEval {
  metrics: HarMetrics;
  zeroShotAccuracy: number;
  zeroShot: HarMetrics;
  personalizeSeconds: number;
  persons: number;
  perPerson: PersonResult[];
}

/** Shared-model probabilities and pooled features of many windows, in batches. */
async function featuresOf(clf: HarClassifier, set: WindowSet, batch: number): Promise<{ probs: Float32Array; features: Float32Array; featureSize: number }> {
  const { windows, n } = set;
  const per = clf.windowSize * 3;
  const k = clf.classes.length;
  let featureSize = 0;
  const probs = new Float32Array(n * k);
  let features = new Float32Array(0);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const r = await clf.predictWithFeaturesAsync(windows.subarray(i * per, (i + m) * per), m, set.placements.slice(i, i + m));
    if (featureSize === 0) {
      featureSize = r.featureSize;
      features = new Float32Array(n * featureSize);
    }
    probs.set(r.probs, i * k);
    features.set(r.features, i * featureSize);
  }
  return { probs, features, featureSize };
}

export async function evaluatePersonalized(
  clf: HarClassifier,
  persons: readonly { person: string; recordings: readonly Recording[] }[],
  seconds: number,
  opts: { batchSize?: number; calibrationHop?: number; log?: (m: string) => void } = {},
): Promise<PersonalizedEval> {
  const batch = opts.batchSize ?? 512;
  const log = opts.log ?? (() => {});
  const shared = await clf.headWeightsAsync();
  const k = clf.classes.length;
  const allTruths: string[] = [];
  const zeroPred: number[] = [];
  const personalPred: number[] = [];
  const perPerson: PersonResult[] = [];
  for (const { person, recordings } of persons) {
    const split = splitPerson(recordings, seconds, { windowSize: clf.windowSize, hop: clf.hop, rateHz: clf.rateHz, calibrationHop: opts.calibrationHop });
    if (split.scored.n === 0) {
      log(`${person}: no window left to score after calibration (skipped)`);
      continue;
    }
    const result: PersonResult = { person, n: split.scored.n, zeroShot: 0, accuracy: 0, calibrationWindows: {} };
    // Labels the model lacks (e.g. jogging for a model without it) are neither calibrated nor scored, as in eval.
    const usable = (t: string) => (t === 'stairs' ? clf.classes.includes('upstairs') || clf.classes.includes('downstairs') : clf.classes.includes(t));
    const counts = new Map<string, number>();
    for (const t of split.calibration.truths) if (usable(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const skipped = [...counts].filter(([, c]) => c < DEFAULT_FIT.minWindowsPerLabel).map(([l]) => l);
    if (skipped.length) result.skipped = skipped;
    const cal = await featuresOf(clf, split.calibration, batch);
    const calWindows: CalibrationWindow[] = [];
    split.calibration.truths.forEach((truth, i) => {
      if (usable(truth) && !skipped.includes(truth)) calWindows.push({ truth, features: cal.features.subarray(i * cal.featureSize, (i + 1) * cal.featureSize) });
    });
    let head: Awaited<ReturnType<typeof fitPersonalHead>> | undefined;
    try {
      const t0 = performance.now();
      head = await fitPersonalHead(shared, calWindows);
      result.fitMs = performance.now() - t0;
      result.calibrationWindows = head.windows;
      if (head.validation) result.validation = head.validation;
      // As the server does: a head that kept the shared weights is no personal head.
      if (head.validation?.kept === 'shared') head = undefined;
    } catch (err) {
      if (!(err instanceof CalibrationError)) throw err;
      result.error = err.message;
      log(`${person}: no personal head (${err.message}); scoring the shared model's predictions`);
    }
    const sc = await featuresOf(clf, split.scored, batch);
    const zero = argmaxRows(sc.probs, k);
    const out = new Float32Array(k);
    const personal = head ? zero.map((_, i) => argmax(applyHead(head!, sc.features.subarray(i * sc.featureSize, (i + 1) * sc.featureSize), out))) : zero;
    const z = scoreWindows(clf.classes, split.scored.truths, zero);
    const p = scoreWindows(clf.classes, split.scored.truths, personal);
    result.n = p.n;
    result.zeroShot = z.accuracy;
    result.accuracy = p.accuracy;
    perPerson.push(result);
    allTruths.push(...split.scored.truths);
    zeroPred.push(...zero);
    personalPred.push(...personal);
    const v = result.validation;
    const kept = v
      ? `, kept ${v.kept}${v.kept === 'mixed' ? ` ${v.mixing}` : ''} (held out: shared ${(v.shared.accuracy * 100).toFixed(1)}%, personal ${(v.personal.accuracy * 100).toFixed(1)}%)`
      : '';
    log(
      `${person}: ${p.n} windows scored, zero-shot ${(z.accuracy * 100).toFixed(1)}% -> personal ${(p.accuracy * 100).toFixed(1)}%${result.fitMs !== undefined ? ` (head fitted in ${result.fitMs.toFixed(0)} ms${kept})` : ''}`,
    );
  }
  const zeroShot = scoreWindows(clf.classes, allTruths, zeroPred);
  return {
    metrics: scoreWindows(clf.classes, allTruths, personalPred),
    zeroShotAccuracy: zeroShot.accuracy,
    zeroShot,
    personalizeSeconds: seconds,
    persons: perPerson.length,
    perPerson,
  };
}
