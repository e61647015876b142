import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { sparseSoftmaxCrossEntropy, makeTrainStep } from '../../models/lm/train-step.js';
import { buildLanguageModel, compileLanguageModel } from '../../models/lm/model.js';

describe('fused sparse softmax cross-entropy', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('has the value and gradient of the reference softmax cross-entropy', () => {
    const logits = tf.randomNormal([7, 11], 0, 2, 'float32', 3) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 3, 10, 5, 5, 1, 9], 'int32');
    const ours = tf.valueAndGrad((x: tf.Tensor) => sparseSoftmaxCrossEntropy(x as tf.Tensor2D, labels))(logits);
    const ref = tf.valueAndGrad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 11), x))(logits);
    expect(ours.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0]!, 5);
    const g1 = ours.grad.dataSync();
    const g2 = ref.grad.dataSync();
    for (let i = 0; i < g1.length; i++) expect(g1[i]).toBeCloseTo(g2[i]!, 5);
  });

  it('training steps lower the loss on a learnable sequence without leaking tensors', async () => {
    const V = 9;
    const model = buildLanguageModel({ vocabSize: V, embedDim: 4, units: [16], projection: 0, dropout: 0 }, 1);
    compileLanguageModel(model, 0.02);
    const step = makeTrainStep(model);
    const seq = Array.from({ length: 200 }, (_, i) => (i * 2) % V);
    const xs = Array.from({ length: 8 }, (_, r) => seq.slice(r * 10, r * 10 + 12));
    const x = tf.tensor2d(
      xs.map((w) => w.slice(0, 11)),
      [8, 11],
      'int32',
    );
    const y = tf.tensor1d(
      xs.flatMap((w) => w.slice(1, 12)),
      'int32',
    );
    const first = await step(x, y);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 60; i++) last = await step(x, y);
    expect(tf.memory().numTensors).toBe(before);
    expect(first).toBeGreaterThan(1.8);
    expect(last).toBeLessThan(0.5);
  });
});
