// The committed model (models/trained/har): its metadata tells how it was made and on what data
// (with licenses), and it gets clearly synthetic signals right at the level of class groups, at
// the waist and in a pocket in any orientation (no dataset excerpts here).
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { HarClassifier } from '../../models/har/classifier.js';
import { HAR_RANDOM, rotationAbout } from '../../models/har/augmentation.js';
import { createRandom } from '../../lib/random.js';
import { ACTIVITY_NAMES, type Placement } from '../../protocol/sensor-messages.js';

const MOVING = ['walking', 'upstairs', 'downstairs', 'jogging'];
const UPRIGHT = ['sitting', 'standing'];

let clf: HarClassifier;

beforeAll(async () => {
  await initBackend('wasm');
  clf = await HarClassifier.load();
});
afterAll(() => clf?.dispose());

/** n windows of f(t seconds, window index) + white noise, at the model's rate. */
function windows(n: number, f: (t: number, w: number) => [number, number, number], noise = 0.01, seed = 1): Float32Array {
  const rng = createRandom(seed, HAR_RANDOM);
  const out = new Float32Array(n * 128 * 3);
  for (let w = 0; w < n; w++) {
    for (let k = 0; k < 128; k++) {
      const v = f(k / 50, w);
      for (let a = 0; a < 3; a++) out[(w * 128 + k) * 3 + a] = v[a]! + noise * rng.gaussian();
    }
  }
  return out;
}

function labels(probs: Float32Array): string[] {
  const k = clf.classes.length;
  const out: string[] = [];
  for (let r = 0; r < probs.length / k; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
    out.push(clf.classes[best]!);
  }
  return out;
}

/** Turns a vector by `deg` about the screen normal (z): the phone turned in a pocket. */
function turned(v: [number, number, number], deg: number): [number, number, number] {
  const m = rotationAbout([0, 0, 1], deg);
  return [0, 1, 2].map((r) => m[r * 3]! * v[0] + m[r * 3 + 1]! * v[1] + m[r * 3 + 2]! * v[2]) as [number, number, number];
}

const count = (ls: string[], allowed: string[]) => ls.filter((l) => allowed.includes(l)).length;

describe('committed HAR model', () => {
  it('records what it expects, how it was made, and every data set with its license', () => {
    const m = clf.metadata!;
    expect(m.classes).toEqual([...ACTIVITY_NAMES]);
    expect(m.input).toMatchObject({ shape: [128, 3], hop: 64, rateHz: 50, units: 'g' });
    expect((m.input as { features: string[] }).features).toEqual(expect.arrayContaining(['pocket', 'waist']));
    expect(m.command).toMatch(/^npm run train -- har --data \.\.\/shared\/data\/hapt\/RawData --wisdm \.\.\/shared\/data\/wisdm2019 --mobifall \.\.\/shared\/data\/mobifall/);
    const datasets = (m.data as { datasets: { dataset: string; path: string; license?: string; citation?: string; trainUsers: number[]; validationUsers: number[] }[] }).datasets;
    expect(datasets.map((d) => d.dataset)).toEqual(['hapt', 'wisdm2019', 'mobifall']);
    for (const d of datasets) {
      expect(d.path).toBe(`../shared/data/${d.dataset === 'hapt' ? 'hapt/RawData' : d.dataset}`);
      expect(d.license, d.dataset).toBeTruthy();
      expect(d.citation, d.dataset).toBeTruthy();
      expect(d.validationUsers.length).toBeGreaterThanOrEqual(2);
      expect(d.trainUsers.filter((u) => d.validationUsers.includes(u))).toEqual([]);
    }
    expect(datasets[2]!.license).toMatch(/research/);
    const perDataset = (m.metrics as { perDataset: Record<string, { accuracy: number }> }).perDataset;
    expect(Object.keys(perDataset)).toEqual(['hapt (waist)', 'hapt (unknown)', 'wisdm2019 (pocket)', 'wisdm2019 (unknown)', 'mobifall (pocket)', 'mobifall (unknown)']);
    expect(perDataset['hapt (waist)']!.accuracy).toBeGreaterThan(0.9);
    expect(typeof m.seed).toBe('number');
  });

  it('at the waist: a still phone lying flat is "lying" with either sign convention; an upright one sits or stands', () => {
    const flat = windows(6, (_, w) => [0.05 * (w - 3), 0.7, 0.7]);
    expect(labels(clf.predict(flat, 6, 'waist'))).toEqual(Array(6).fill('lying'));
    expect(
      labels(
        clf.predict(
          flat.map((v) => -v),
          6,
          'waist',
        ),
      ),
    ).toEqual(Array(6).fill('lying'));
    const upright = windows(6, (_, w) => [0.98, -0.1 + 0.04 * w, 0.05]);
    for (const l of labels(clf.predict(upright, 6, 'waist'))) expect(UPRIGHT).toContain(l);
  });

  it('in a pocket, in any turn of the screen plane: gravity in the screen plane stands, along the screen normal sits; never lying', () => {
    const angles = [0, 45, 90, 135, 180, 225, 270, 315];
    const standing = windows(8, (_, w) => turned([0.05, 0.99, 0.08], angles[w]!));
    const sitting = windows(8, (_, w) => [0.1 * Math.cos(w), 0.15 * Math.sin(w), w % 2 ? 0.98 : -0.98]);
    for (const ios of [1, -1]) {
      const st = labels(
        clf.predict(
          standing.map((v) => ios * v),
          8,
          'pocket',
        ),
      );
      const si = labels(
        clf.predict(
          sitting.map((v) => ios * v),
          8,
          'pocket',
        ),
      );
      expect(count(st, ['standing']), `standing ${st}`).toBeGreaterThanOrEqual(6);
      expect(count(si, ['sitting']), `sitting ${si}`).toBeGreaterThanOrEqual(6);
      expect([...st, ...si]).not.toContain('lying');
    }
  });

  it('calls a rhythmic 1.6-2.0 Hz bounce a moving class in any orientation and placement', () => {
    const rng = createRandom(4, HAR_RANDOM);
    const gait = windows(
      6,
      (t, w) => {
        const f = 1.6 + 0.08 * w;
        const p = 2 * Math.PI * f * t;
        return [1 + 0.35 * Math.sin(p) + 0.12 * Math.sin(2 * p + 0.5), -0.15 + 0.12 * Math.sin(p / 2), 0.1 * Math.sin(p + 1)];
      },
      0.03,
    );
    const m = rotationAbout([rng.gaussian(), rng.gaussian(), rng.gaussian()].map((v, _, a) => v / Math.hypot(...a)) as [number, number, number], 100);
    const spun = new Float32Array(gait.length);
    for (let i = 0; i < gait.length; i += 3) for (let r = 0; r < 3; r++) spun[i + r] = m[r * 3]! * gait[i]! + m[r * 3 + 1]! * gait[i + 1]! + m[r * 3 + 2]! * gait[i + 2]!;
    for (const placement of ['waist', 'pocket', 'unknown'] as Placement[]) {
      for (const w of [gait, spun]) for (const l of labels(clf.predict(w, 6, placement))) expect(MOVING, placement).toContain(l);
    }
  });

  it('leaks no tensors across many predictions, with or without placements', () => {
    const w = windows(8, () => [1, 0, 0]);
    clf.predict(w, 8);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 25; i++) clf.predict(w, 8, i % 2 ? 'pocket' : ['waist', 'pocket', undefined, 'hand', 'bag', 'unknown', 'waist', 'pocket']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
