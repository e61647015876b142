import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { LstmStepper } from '../../models/lm/lstm-step.js';
import { buildLanguageModel } from '../../models/lm/model.js';
import { maxAbsDiff } from '../helpers/max-abs-diff.js';

const V = 23;

function fullContextProbs(model: tf.LayersModel, ids: number[]): number[][] {
  return tf.tidy(() => (model.predict(tf.tensor2d([ids], [1, ids.length], 'int32')) as tf.Tensor3D).arraySync()[0]!);
}

describe('incremental LSTM step', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const arch of [
    { name: 'one layer', units: [16], projection: 0 },
    { name: 'two layers + projection', units: [12, 8], projection: 6 },
  ]) {
    it(`matches the full-context forward pass token by token (${arch.name})`, async () => {
      const model = buildLanguageModel({ vocabSize: V, embedDim: 5, units: arch.units, projection: arch.projection, dropout: 0 }, 3);
      // Random weights would give near-uniform outputs; scale them up so differences show.
      model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.4, 'float32', 100 + i)))));
      const ids = Array.from({ length: 40 }, (_, i) => (i * 7 + 3) % V);
      const full = fullContextProbs(model, ids);
      const stepper = LstmStepper.fromModel(model);
      let state = stepper.zeroState();
      let worst = 0;
      for (let t = 0; t < ids.length; t++) {
        const out = await stepper.step([ids[t]!], state);
        state = out.states;
        worst = Math.max(worst, maxAbsDiff(out.probs, full[t]!));
      }
      expect(worst).toBeLessThan(1e-4);
      // The outputs are far from uniform, so the comparison is not vacuous.
      expect(Math.max(...full[ids.length - 1]!)).toBeGreaterThan(2 / V);
      stepper.dispose();
      model.dispose();
    });
  }

  it('batches independent sequences: row i equals stepping sequence i alone', async () => {
    const model = buildLanguageModel({ vocabSize: V, embedDim: 4, units: [10], projection: 0, dropout: 0 }, 5);
    const stepper = LstmStepper.fromModel(model);
    const seqs = [
      [1, 2, 3, 4, 5],
      [9, 9, 9, 9, 9],
      [22, 0, 7, 13, 2],
    ];
    const S = stepper.stateSize;
    let batched: Float32Array = new Float32Array(seqs.length * S);
    let lastBatched: Float32Array = new Float32Array();
    for (let t = 0; t < 5; t++) {
      const out = await stepper.step(
        seqs.map((s) => s[t]!),
        batched,
      );
      batched = out.states;
      lastBatched = out.probs;
    }
    for (let i = 0; i < seqs.length; i++) {
      let st = stepper.zeroState();
      let probs: Float32Array = new Float32Array();
      for (const tok of seqs[i]!) {
        const out = await stepper.step([tok], st);
        st = out.states;
        probs = out.probs;
      }
      expect(maxAbsDiff(lastBatched.subarray(i * V, (i + 1) * V), probs)).toBeLessThan(1e-5);
    }
    stepper.dispose();
    model.dispose();
  });

  it('leaks no tensors over many steps and rejects bad input', async () => {
    const model = buildLanguageModel({ vocabSize: V, embedDim: 4, units: [8], projection: 0, dropout: 0 }, 6);
    const stepper = LstmStepper.fromModel(model);
    let state = stepper.zeroState();
    await stepper.step([1], state);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) state = (await stepper.step([i % V], state)).states;
    expect(tf.memory().numTensors).toBe(before);
    await expect(stepper.step([V], stepper.zeroState())).rejects.toThrow(/outside the vocabulary/);
    await expect(stepper.step([1, 2], stepper.zeroState())).rejects.toThrow(/expected 2 x/);
    expect(tf.memory().numTensors).toBe(before);
    stepper.dispose();
    model.dispose();
  });
});
