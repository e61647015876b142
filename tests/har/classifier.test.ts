import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../models/runtime/backend.js';
import { saveModel } from '../../models/store/model-store.js';
import { HarClassifier, ModelNotFoundError } from '../../models/har/classifier.js';
import { HAR_FEATURES } from '../../models/har/features.js';
import { ACTIVITIES, ACTIVITY_NAMES } from '../../protocol/sensor-messages.js';

function randomWindows(n: number, size: number, seed: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n * size * 3);
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 2 - 1;
  }
  return out;
}

describe('HarClassifier', () => {
  it('an untrained model follows the contract: geometry, probabilities, no leaks', async () => {
    await initBackend('wasm');
    const c = HarClassifier.untrained(3);
    expect(c.classes).toEqual(ACTIVITIES);
    expect([c.windowSize, c.hop, c.rateHz]).toEqual([128, 64, 50]);
    const n = 5;
    const w = randomWindows(n, c.windowSize, 1);
    c.predict(w, n); // warm-up allocations
    const before = tf.memory().numTensors;
    let p: Float32Array = new Float32Array();
    for (let i = 0; i < 20; i++) p = c.predict(w, n);
    expect(tf.memory().numTensors).toBe(before);
    expect(p.length).toBe(n * ACTIVITIES.length);
    for (let r = 0; r < n; r++) {
      const row = p.subarray(r * 6, r * 6 + 6);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      for (const v of row) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(c.predict(new Float32Array(0), 0).length).toBe(0);
    c.dispose();
    expect(() => c.predict(w, n)).toThrow(/dispose/);
  });

  it('rejects input of the wrong size', async () => {
    await initBackend('wasm');
    const c = HarClassifier.untrained();
    expect(() => c.predict(new Float32Array(128 * 3 - 1), 1)).toThrow(/expected 1 windows/);
    expect(() => c.predict(new Float32Array(0), -1)).toThrow(RangeError);
    c.dispose();
  });

  it('throws ModelNotFoundError for a missing model', async () => {
    await initBackend('wasm');
    await expect(HarClassifier.load(join(tmpdir(), 'no-such-har-model'))).rejects.toThrow(ModelNotFoundError);
  });

  it('loads a saved model with identical predictions and refuses mismatched metadata', async () => {
    await initBackend('wasm');
    const dir = await mkdtemp(join(tmpdir(), 'har-classifier-'));
    const c = HarClassifier.untrained(7);
    const input = { shape: [128, 3], hop: 64, rateHz: 50, units: 'g', features: [...HAR_FEATURES] };
    await saveModel(c.layersModel, dir, { name: 'har', kind: 'har-cnn', classes: [...ACTIVITIES], input });
    const loaded = await HarClassifier.load(dir);
    const w = randomWindows(3, 128, 9);
    expect(Array.from(loaded.predict(w, 3))).toEqual(Array.from(c.predict(w, 3)));
    loaded.dispose();

    const meta = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...meta, classes: ['walking', 'running'] }));
    await expect(HarClassifier.load(dir)).rejects.toThrow(/classes/);
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...meta, input: { ...input, units: 'm/s2' } }));
    await expect(HarClassifier.load(dir)).rejects.toThrow(/units/);
    c.dispose();
  });

  it('takes its classes from the metadata: any ordered subset of the known names', async () => {
    await initBackend('wasm');
    const dir = await mkdtemp(join(tmpdir(), 'har-classes-'));
    const c = HarClassifier.untrained(2, ACTIVITY_NAMES);
    const input = { shape: [128, 3], hop: 64, rateHz: 50, units: 'g', features: [...HAR_FEATURES] };
    await saveModel(c.layersModel, dir, { name: 'har', kind: 'har-cnn', classes: [...ACTIVITY_NAMES], input });
    const loaded = await HarClassifier.load(dir);
    expect(loaded.classes).toEqual([...ACTIVITY_NAMES]);
    expect(loaded.classes).toContain('jogging');
    expect(loaded.predict(randomWindows(2, 128, 4), 2).length).toBe(2 * 7);
    loaded.dispose();

    const meta = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
    const subset = ['walking', 'sitting', 'standing', 'lying', 'upstairs', 'jogging', 'downstairs'];
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...meta, classes: subset }));
    await expect(HarClassifier.load(dir)).rejects.toThrow(/ordered subset/);
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...meta, classes: [...ACTIVITIES] }));
    await expect(HarClassifier.load(dir)).rejects.toThrow(/7 outputs for 6 classes/);
    c.dispose();
  });
});
