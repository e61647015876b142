import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../models/runtime/backend.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../../models/training/checkpoints.js';

describe('checkpoints', () => {
  it('round-trip the model, its optimizer and the run state, and leak no tensors', async () => {
    await initBackend('wasm');
    const dir = await mkdtemp(join(tmpdir(), 'sensorium-ckpt-'));
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const x = tf.randomNormal([16, 4], 0, 1, 'float32', 3);
    const y = tf.randomNormal([16, 2], 0, 1, 'float32', 4);
    await model.fit(x, y, { epochs: 2, verbose: 0 });

    expect(hasCheckpoint(dir)).toBe(false);
    const before = tf.memory().numTensors;
    for (let epoch = 1; epoch <= 3; epoch++) {
      await saveCheckpoint(dir, { model }, { epoch, history: [{ loss: epoch }], options: { lr: 0.01 } });
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(hasCheckpoint(dir)).toBe(true);

    const { models, state } = await loadCheckpoint(dir);
    expect(state.epoch).toBe(3);
    const restored = models.model!;
    expect((restored.predict(x) as tf.Tensor).arraySync()).toEqual((model.predict(x) as tf.Tensor).arraySync());
    // The optimizer state came back too: one more step from each gives the same weights.
    restored.compile({ optimizer: restored.optimizer, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
    await restored.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
    const w1 = model.getWeights()[0]!.dataSync();
    const w2 = restored.getWeights()[0]!.dataSync();
    for (let i = 0; i < w1.length; i++) expect(w2[i]).toBeCloseTo(w1[i]!, 6);
  });
});
