// The personal head: fitting on calibration features (deterministic, better on the person's data,
// uncalibrated classes untouched), its errors, and the classifier's features/head methods that
// feed it (consistent with predict, no tensor leaks).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HarClassifier } from '../../models/har/classifier.js';
import { applyHead, argmax, CalibrationError, checkCalibration, fitPersonalHead, headFingerprint, type CalibrationWindow, type HeadWeights } from '../../models/har/personal-head.js';
import { initBackend } from '../../models/runtime/backend.js';

const CLASSES = ['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying', 'jogging'];
const F = 8;

/** A shared head that confuses sitting and standing (it reads both from feature 0). */
function sharedHead(): HeadWeights {
  const kernel = new Float32Array(F * CLASSES.length);
  // class c responds to feature c (c < F), except standing, which copies sitting's feature.
  for (let c = 0; c < CLASSES.length; c++) kernel[(c === 4 ? 3 : c) * CLASSES.length + c] = 2;
  return { classes: CLASSES, featureSize: F, kernel, bias: new Float32Array(CLASSES.length) };
}

/** Windows of a class: its feature on, plus a person-specific cue (feature 7) for standing. */
function windowsOf(truth: string, count: number, seed = 1): CalibrationWindow[] {
  const out: CalibrationWindow[] = [];
  let s = seed;
  const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  for (let i = 0; i < count; i++) {
    const f = new Float32Array(F).map(() => Math.abs(noise()));
    const c = CLASSES.indexOf(truth === 'stairs' ? 'upstairs' : truth);
    f[c === 4 ? 3 : c] = 1 + noise();
    if (truth === 'standing') f[7] = 1 + noise();
    out.push({ truth, features: f });
  }
  return out;
}

const accuracy = (head: HeadWeights, windows: CalibrationWindow[]) => {
  const out = new Float32Array(head.classes.length);
  return windows.filter((w) => head.classes[argmax(applyHead(head, w.features, out))] === w.truth).length / windows.length;
};

describe('fitPersonalHead', () => {
  it('learns what the shared head confuses, deterministically, leaving uncalibrated classes as they were', async () => {
    const shared = sharedHead();
    const calibration = [...windowsOf('sitting', 10, 1), ...windowsOf('standing', 10, 2), ...windowsOf('walking', 10, 3)];
    const test = [...windowsOf('sitting', 30, 11), ...windowsOf('standing', 30, 12), ...windowsOf('walking', 30, 13)];
    expect(accuracy(shared, test)).toBeLessThan(0.75);
    const head = await fitPersonalHead(shared, calibration);
    expect(accuracy(head, test)).toBeGreaterThan(0.95);
    expect(head.trainAccuracy).toBeGreaterThan(0.95);
    expect(head.calibrated).toEqual(['walking', 'sitting', 'standing']);
    expect(head.windows).toEqual({ sitting: 10, standing: 10, walking: 10 });
    expect(head.sharedFingerprint).toBe(headFingerprint(shared));
    // lying (index 5) had no calibration windows: its weights are the shared ones.
    for (let f = 0; f < F; f++) expect(head.kernel[f * CLASSES.length + 5]).toBe(shared.kernel[f * CLASSES.length + 5]);
    expect(head.bias[5]).toBe(shared.bias[5]);
    // The guard saw the same on held-out blocks: every window held out once, the personal head better there.
    expect(head.validation).toMatchObject({ windows: 30, folds: 3 });
    expect(head.validation!.kept).not.toBe('shared');
    expect(head.validation!.mixing).toBeGreaterThan(0);
    expect(head.validation!.personal.accuracy).toBeGreaterThan(head.validation!.shared.accuracy);
    const again = await fitPersonalHead(shared, calibration);
    expect(Array.from(again.kernel)).toEqual(Array.from(head.kernel));
    expect(Array.from(again.bias)).toEqual(Array.from(head.bias));
  });

  it("'stairs' teaches either stairs class", async () => {
    // (validate: false — the shared head already gets these right, so the guard would keep it.)
    const head = await fitPersonalHead(sharedHead(), [...windowsOf('stairs', 6), ...windowsOf('walking', 6, 5)], { validate: false });
    expect(head.calibrated).toEqual(['walking', 'upstairs', 'downstairs']);
    const out = new Float32Array(CLASSES.length);
    for (const w of windowsOf('stairs', 10, 9)) expect(['upstairs', 'downstairs']).toContain(CLASSES[argmax(applyHead(head, w.features, out))]);
  });

  it('yields between slices when asked', async () => {
    let yields = 0;
    await fitPersonalHead(sharedHead(), [...windowsOf('sitting', 5), ...windowsOf('walking', 5, 2)], {
      steps: 100,
      validate: false,
      yieldEvery: { steps: 10, yield: async () => void yields++ },
    });
    expect(yields).toBe(9);
    // With the guard: each of the 3 held-out folds' fits yields too (the shared head is kept here, so no final fit).
    yields = 0;
    const guarded = await fitPersonalHead(sharedHead(), [...windowsOf('sitting', 6), ...windowsOf('walking', 6, 2)], {
      steps: 100,
      yieldEvery: { steps: 10, yield: async () => void yields++ },
    });
    expect(guarded.validation?.kept).toBe('shared');
    expect(yields).toBe(27);
  });
});

describe('the guard: never worse than the shared head, as far as the calibration data can tell', () => {
  /**
   * A person whose calibration session has a cue of its own: every sitting window recorded then
   * also lights feature 7 (say, how the phone sat that time). Later, the cue is gone from sitting
   * and shows up while walking. The shared head is right on all of it.
   */
  const session = (truth: string, count: number, seed: number, cue: boolean) =>
    windowsOf(truth, count, seed).map((w) => {
      const f = Float32Array.from(w.features);
      f[7] = cue ? 4 : 0;
      return { truth, features: f };
    });
  const calibration = [...session('walking', 12, 1, false), ...session('sitting', 12, 2, true)];
  const later = [...session('walking', 40, 3, true), ...session('sitting', 40, 4, false)];

  it('keeps the shared head when it already gets the held-out calibration windows right', async () => {
    const shared = sharedHead();
    expect(accuracy(shared, calibration)).toBe(1);
    expect(accuracy(shared, later)).toBe(1);
    const guarded = await fitPersonalHead(shared, calibration);
    expect(guarded.validation).toMatchObject({ kept: 'shared', mixing: 0, windows: 24, shared: { accuracy: 1 } });
    expect(Array.from(guarded.kernel)).toEqual(Array.from(shared.kernel));
    expect(Array.from(guarded.bias)).toEqual(Array.from(shared.bias));
    expect(guarded.calibrated).toEqual([]);
    expect(accuracy(guarded, later)).toBe(1);
    // Unguarded, the head leans on the session's cue and loses the later windows (0.525 measured).
    const unguarded = await fitPersonalHead(shared, calibration, { validate: false });
    expect(unguarded.validation).toBeUndefined();
    expect(accuracy(unguarded, later)).toBeLessThan(0.9);
  });

  it('holds out time-contiguous blocks: a shift inside the calibration of a label is seen', async () => {
    // Standing looks like sitting to the shared head. The person's standing has its own cue
    // (feature 7), so the personal head is right on held-out blocks where the shared one is not.
    const shared = sharedHead();
    const cal = [...windowsOf('sitting', 9, 1), ...windowsOf('standing', 9, 2)];
    const head = await fitPersonalHead(shared, cal);
    expect(head.validation!.windows).toBe(18);
    expect(head.validation!.shared.accuracy).toBeLessThan(0.75);
    expect(head.validation!.mixed.accuracy).toBeGreaterThan(0.95);
    expect(head.validation!.mixed.logLoss).toBeLessThan(head.validation!.shared.logLoss);
  });
});

describe('bad calibration input', () => {
  const shared = sharedHead();
  const codeOf = (windows: CalibrationWindow[], head: HeadWeights = shared) => {
    try {
      checkCalibration(head, windows);
      return 'ok';
    } catch (err) {
      expect(err).toBeInstanceOf(CalibrationError);
      return (err as CalibrationError).code;
    }
  };
  it('too little of a class, one class, unknown labels, wrong feature size', async () => {
    expect(codeOf([...windowsOf('sitting', 10), ...windowsOf('walking', 2)])).toBe('too-little-data');
    expect(codeOf(windowsOf('sitting', 10))).toBe('one-class');
    expect(codeOf([])).toBe('one-class');
    expect(codeOf(windowsOf('stairs', 10))).toBe('one-class');
    expect(codeOf([...windowsOf('sitting', 5), { truth: 'cycling', features: new Float32Array(F) }])).toBe('unknown-label');
    const sixClasses = { ...shared, classes: CLASSES.slice(0, 6), kernel: new Float32Array(F * 6), bias: new Float32Array(6) };
    expect(codeOf([...windowsOf('sitting', 5), ...windowsOf('jogging', 5)], sixClasses)).toBe('unknown-label');
    expect(codeOf([...windowsOf('sitting', 5), { truth: 'walking', features: new Float32Array(3) }])).toBe('bad-features');
    await expect(fitPersonalHead(shared, windowsOf('sitting', 10))).rejects.toThrow(/at least two different activities/);
    expect(codeOf([...windowsOf('sitting', 3), ...windowsOf('walking', 3)])).toBe('ok');
  });
});

describe('HarClassifier features for personal heads', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('predictWithFeatures matches predict, the head reproduces the probabilities, no tensors leak', () => {
    const clf = HarClassifier.untrained(3);
    try {
      const n = 4;
      const windows = new Float32Array(n * clf.windowSize * 3).map((_, i) => Math.sin(i / 11) + (i % 3 === 2 ? 1 : 0));
      clf.predictWithFeatures(windows, n); // builds the two-output view once
      const before = tf.memory().numTensors;
      const r = clf.predictWithFeatures(windows, n);
      const head = clf.headWeights();
      expect(tf.memory().numTensors).toBe(before);
      expect(r.featureSize).toBe(head.featureSize);
      expect(r.features.length).toBe(n * r.featureSize);
      const probs = clf.predict(windows, n);
      expect(Array.from(r.probs)).toEqual(Array.from(probs));
      const out = new Float32Array(clf.classes.length);
      for (let i = 0; i < n; i++) {
        applyHead(head, r.features.subarray(i * r.featureSize, (i + 1) * r.featureSize), out);
        for (let c = 0; c < out.length; c++) expect(out[c]).toBeCloseTo(probs[i * out.length + c]!, 5);
      }
      expect(clf.predictWithFeatures(new Float32Array(0), 0).probs.length).toBe(0);
      expect(() => clf.predictWithFeatures(new Float32Array(5), 1)).toThrow(RangeError);
    } finally {
      clf.dispose();
    }
  });
});
