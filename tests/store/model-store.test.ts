import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../models/runtime/backend.js';
import { loadModel, saveModel, ModelNotFoundError } from '../../models/store/model-store.js';

function smallModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv1d({ inputShape: [16, 3], filters: 4, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.globalAveragePooling1d());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

describe('model store', () => {
  it('round-trips a model with identical predictions and keeps metadata', async () => {
    await initBackend('wasm');
    const dir = await mkdtemp(join(tmpdir(), 'sensorium-store-'));
    const model = smallModel();
    const x = tf.randomNormal([5, 16, 3], 0, 1, 'float32', 7);
    const before = (model.predict(x) as tf.Tensor).arraySync();
    await saveModel(model, dir, { name: 'tiny', kind: 'test', classes: ['a', 'b', 'c'] });
    const { model: loaded, metadata } = await loadModel(dir);
    const after = (loaded.predict(x) as tf.Tensor).arraySync();
    expect(after).toEqual(before);
    expect(metadata.classes).toEqual(['a', 'b', 'c']);
    expect(metadata.backend).toBe('wasm');
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
  });

  it('says clearly when a model is missing', async () => {
    await expect(loadModel(join(tmpdir(), 'no-such-model-dir'))).rejects.toThrow(ModelNotFoundError);
  });
});
