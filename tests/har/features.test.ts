import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { checkFeatures, harFeatures, placementCode } from '../../models/har/features.js';
import { HAR_RANDOM, rotation } from '../../models/har/augmentation.js';
import { createRandom } from '../../lib/random.js';

function window(f: (k: number) => [number, number, number], n = 64): number[][] {
  return Array.from({ length: n }, (_, k) => f(k));
}

function features(w: number[][]): number[][] {
  return tf.tidy(() => harFeatures(tf.tensor3d([w]), ['x', 'y', 'z', '|a|-1', 'vertical', 'horizontal']).arraySync()[0]!);
}

describe('HAR features', () => {
  it('splits motion into vertical and horizontal parts relative to the mean gravity', async () => {
    await initBackend('wasm');
    // Gravity along +x; motion 0.3 sin along x (vertical) and 0.2 cos along z (horizontal).
    const f = features(window((k) => [1 + 0.3 * Math.sin(k / 3), 0, 0.2 * Math.cos(k / 5)]));
    const mean = (i: number) => f.reduce((a, r) => a + r[i]!, 0) / f.length;
    for (const [k, row] of f.entries()) {
      expect(row[4]).toBeCloseTo(0.3 * Math.sin(k / 3) - mean(0) + 1, 2);
      expect(row[5]).toBeCloseTo(Math.abs(0.2 * Math.cos(k / 5) - mean(2)), 2);
    }
    const still = features(window(() => [0, 0.6, 0.8]));
    for (const row of still) expect([row[3], row[4], row[5]].map((v) => Math.abs(v!) < 1e-3)).toEqual([true, true, true]);
  });

  it('the magnitude, vertical and horizontal channels ignore how the phone is turned', async () => {
    await initBackend('wasm');
    const w = window((k) => [0.9 + 0.4 * Math.sin(k / 2), 0.3 * Math.cos(k / 4), 0.1 + 0.2 * Math.sin(k / 7)]);
    const m = rotation(createRandom(9, HAR_RANDOM), 180);
    const turned = w.map(([x, y, z]) => [0, 1, 2].map((r) => m[r * 3]! * x! + m[r * 3 + 1]! * y! + m[r * 3 + 2]! * z!));
    const a = features(w);
    const b = features(turned);
    for (let k = 0; k < a.length; k++) for (const c of [3, 4, 5]) expect(b[k]![c]).toBeCloseTo(a[k]![c]!, 4);
    expect(Math.abs(b[0]![0]! - a[0]![0]!)).toBeGreaterThan(0.01); // the raw axes do change
  });

  it('placement channels are 1 for the placement the device said, both 0 for unknown, hand or bag', async () => {
    await initBackend('wasm');
    const w = window(() => [0, 1, 0], 8);
    const codes = [placementCode('pocket'), placementCode('waist'), placementCode('unknown'), placementCode('hand')];
    const f = tf.tidy(() => harFeatures(tf.tensor3d([w, w, w, w]), ['y', 'pocket', 'waist'], codes).arraySync());
    expect(f.map((rows) => rows.every((r) => r[0] === 1))).toEqual([true, true, true, true]);
    expect(f.map((rows) => [rows[0]![1], rows[7]![1], rows[0]![2], rows[7]![2]])).toEqual([
      [1, 1, 0, 0],
      [0, 0, 1, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    const blind = tf.tidy(() => harFeatures(tf.tensor3d([w]), ['pocket', 'waist']).arraySync());
    expect(blind[0]!.every((r) => r[0] === 0 && r[1] === 0)).toBe(true);
  });

  it('rejects unknown channel names', () => {
    expect(() => checkFeatures(['x', 'gyro'])).toThrow(/unknown feature channel\(s\) gyro/);
  });
});
