// The committed model (models/trained/har): its metadata tells how it was made, and it gets
// clearly synthetic signals right at the level of class groups (no dataset excerpts here).
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { HarClassifier } from '../../models/har/classifier.js';
import { createRng } from '../../models/har/rng.js';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';

const MOVING = ['walking', 'upstairs', 'downstairs'];
const UPRIGHT = ['sitting', 'standing'];

let clf: HarClassifier;

beforeAll(async () => {
  await initBackend('wasm');
  clf = await HarClassifier.load();
});
afterAll(() => clf?.dispose());

/** n windows of f(t seconds, window index) + white noise, at the model's rate. */
function windows(n: number, f: (t: number, w: number) => [number, number, number], noise = 0.01, seed = 1): Float32Array {
  const rng = createRng(seed);
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
  const out: string[] = [];
  for (let r = 0; r < probs.length / 6; r++) {
    let best = 0;
    for (let c = 1; c < 6; c++) if (probs[r * 6 + c]! > probs[r * 6 + best]!) best = c;
    out.push(ACTIVITIES[best]!);
  }
  return out;
}

describe('committed HAR model', () => {
  it('records what it expects and how it was made', () => {
    const m = clf.metadata!;
    expect(m.classes).toEqual([...ACTIVITIES]);
    expect(m.input).toMatchObject({ shape: [128, 3], hop: 64, rateHz: 50, units: 'g' });
    expect(m.command).toMatch(/^npm run train -- har --data \.\.\/shared\/data\/hapt\/RawData/);
    const data = m.data as { path: string; citation: string; trainUsers: number[]; validationUsers: number[] };
    expect(data.path).toBe('../shared/data/hapt/RawData');
    expect(data.citation).toMatch(/Reyes-Ortiz/);
    expect(data.validationUsers.length).toBeGreaterThanOrEqual(5);
    expect(data.trainUsers.filter((u) => data.validationUsers.includes(u))).toEqual([]);
    const val = (m.metrics as { validation: { accuracy: number; perClass: Record<string, unknown> } }).validation;
    expect(val.accuracy).toBeGreaterThan(0.9);
    expect(Object.keys(val.perClass)).toEqual([...ACTIVITIES]);
    expect(typeof m.seed).toBe('number');
  });

  it('calls a still phone lying flat "lying", with either sign convention', () => {
    const flat = windows(6, (_, w) => [0.05 * (w - 3), 0.7, 0.7]);
    expect(labels(clf.predict(flat, 6))).toEqual(Array(6).fill('lying'));
    expect(labels(clf.predict(flat.map((v) => -v), 6))).toEqual(Array(6).fill('lying'));
  });

  it('calls a still upright phone sitting or standing, never a moving class or lying', () => {
    const upright = windows(6, (_, w) => [0.98, -0.1 + 0.04 * w, 0.05]);
    for (const l of labels(clf.predict(upright, 6))) expect(UPRIGHT).toContain(l);
  });

  it('calls a rhythmic 1.6-2.0 Hz vertical bounce one of the moving classes', () => {
    const gait = windows(6, (t, w) => {
      const f = 1.6 + 0.08 * w;
      const p = 2 * Math.PI * f * t;
      return [1 + 0.35 * Math.sin(p) + 0.12 * Math.sin(2 * p + 0.5), -0.15 + 0.12 * Math.sin(p / 2), 0.1 * Math.sin(p + 1)];
    }, 0.03);
    for (const l of labels(clf.predict(gait, 6))) expect(MOVING).toContain(l);
  });

  it('leaks no tensors across many predictions', () => {
    const w = windows(8, () => [1, 0, 0]);
    clf.predict(w, 8);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 25; i++) clf.predict(w, 8);
    expect(tf.memory().numTensors).toBe(before);
  });
});
