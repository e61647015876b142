// Every model computes on webgpu what it computes on WASM (1e-4 relative, small inputs): HAR
// (serving path, features, training gradients), the LSTM step and its training gradients, MNIST
// CNN (and its gradients), autoencoder, VAE, both GANs. Here webgpu runs on SwiftShader (CPU):
// slow, so inputs are tiny. Each test builds its models under WASM and runs everything once there,
// then once on webgpu: switching the backend moves the weights over (one way: webgpu cannot read
// them back synchronously), so both backends see the very same numbers.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HarClassifier } from '../../models/har/classifier.js';
import { harFeatures } from '../../models/har/features.js';
import { buildHarModel, HAR_WINDOW } from '../../models/har/model.js';
import { buildLanguageModel } from '../../models/lm/model.js';
import { LstmStepper } from '../../models/lm/lstm-step.js';
import { sparseSoftmaxCrossEntropy } from '../../models/lm/train-step.js';
import { buildMnistCnn } from '../../models/images/mnist-cnn/model.js';
import { buildDenoiser } from '../../models/images/autoencoder/model.js';
import { buildVae, VAE_CONFIG } from '../../models/images/vae/model.js';
import { buildGan, type Gan } from '../../models/images/gan/models.js';
import { GAN_CONFIG } from '../../models/images/gan/layers.js';
import { initBackend, type BackendInfo } from '../../models/runtime/backend.js';
import { registerWasmTrainingKernels } from '../../models/runtime/wasm-training/index.js';
import { relativeError, webgpuSkipReason } from './webgpu-env.js';

const TOLERANCE = 1e-4;

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs `f` on WASM, then on webgpu; returns both results (lists of arrays, read with data()). */
async function onBoth(f: () => tf.Tensor | tf.Tensor[] | Promise<Float32Array[]>): Promise<{ wasm: Float32Array[]; webgpu: Float32Array[] }> {
  const run = async () => {
    const out = await f();
    if (Array.isArray(out) && out[0] instanceof Float32Array) return out as Float32Array[];
    const tensors = (Array.isArray(out) ? out : [out]) as tf.Tensor[];
    const data = await Promise.all(tensors.map(async (t) => new Float32Array(await t.data())));
    tf.dispose(tensors);
    return data;
  };
  await tf.setBackend('wasm');
  const wasm = await run();
  await tf.setBackend('webgpu');
  const webgpu = await run();
  return { wasm, webgpu };
}

function expectClose(got: { wasm: Float32Array[]; webgpu: Float32Array[] }, what: string): void {
  expect(got.webgpu.length).toBe(got.wasm.length);
  got.wasm.forEach((ref, i) => {
    const err = relativeError(got.webgpu[i]!, ref);
    expect(err, `${what} [${i}]: relative error ${err.toExponential(2)}`).toBeLessThanOrEqual(TOLERANCE);
    expect(
      ref.some((v) => v !== 0),
      `${what} [${i}] is not all zeros`,
    ).toBe(true);
  });
}

/** Gradients of `loss` with respect to the model's trainable weights, as a list of tensors. */
function gradients(vars: tf.Variable[], loss: () => tf.Scalar): tf.Tensor[] {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, vars);
    return [value, ...vars.map((v) => grads[v.name]!)];
  });
}

const trainable = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);

const skip = webgpuSkipReason();
let backend: BackendInfo;

describe.skipIf(skip !== undefined)('models on webgpu match WASM', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels(); // the WASM reference needs the training kernels it lacks
    backend = await initBackend('webgpu');
  }, 60_000);

  beforeEach(() => tf.setBackend('wasm'));

  it('runs on a webgpu adapter and says which', () => {
    expect(backend.name).toBe('webgpu');
    expect(backend.tfBackend).toBe('webgpu');
    expect(backend.adapter).toBeDefined();
    expect(typeof backend.adapter!.fallback).toBe('boolean');
  });

  it('HAR classifier: probabilities and pooled features (the serving path)', async () => {
    const clf = HarClassifier.untrained(3);
    const n = 3;
    const windows = values(n * HAR_WINDOW * 3, 11);
    const got = await onBoth(async () => {
      const r = await clf.predictWithFeaturesAsync(windows, n, 'pocket');
      return [await clf.predictAsync(windows, n), r.probs, r.features];
    });
    expectClose(got, 'HAR');
    const head = await clf.headWeightsAsync();
    expect(head.kernel.length).toBe(head.featureSize * clf.classes.length);
    clf.dispose();
  });

  it('HAR training step: loss and every weight gradient', async () => {
    const model = buildHarModel({ seed: 2 });
    const n = 2;
    const classes = model.outputs[0]!.shape.at(-1)!;
    const x = tf.tensor3d(values(n * HAR_WINDOW * 3, 5), [n, HAR_WINDOW, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 3], 'int32'), classes);
    const vars = trainable(model);
    const got = await onBoth(() => gradients(vars, () => tf.losses.softmaxCrossEntropy(y, tf.log(model.apply(harFeatures(x), { training: true }) as tf.Tensor)) as tf.Scalar));
    expect(got.wasm).toHaveLength(vars.length + 1);
    expectClose(got, 'HAR gradients');
    tf.dispose([x, y]);
    model.dispose();
  });

  it('LSTM: two incremental steps of 3 sessions, and training gradients', async () => {
    const model = buildLanguageModel({ vocabSize: 24, embedDim: 8, units: [16], projection: 0, dropout: 0 }, 4);
    const stepper = LstmStepper.fromModel(model);
    const x = tf.tensor2d(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      [2, 4],
      'int32',
    );
    const labels = tf.tensor1d([2, 3, 4, 5, 6, 7, 8, 9], 'int32');
    const vars = trainable(model);
    const got = await onBoth(async () => {
      const first = await stepper.step([1, 5, 9], new Float32Array(3 * stepper.stateSize));
      const second = await stepper.step([2, 6, 10], first.states);
      const grads = gradients(vars, () => sparseSoftmaxCrossEntropy(tf.log((model.apply(x, { training: true }) as tf.Tensor).reshape([8, 24])) as tf.Tensor2D, labels));
      const read = await Promise.all(grads.map(async (g) => new Float32Array(await g.data())));
      tf.dispose(grads);
      return [first.probs, second.probs, second.states, ...read];
    });
    expect(got.wasm).toHaveLength(3 + vars.length + 1);
    expectClose(got, 'LSTM step and gradients');
    stepper.dispose();
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('MNIST CNN: predictions and gradients', async () => {
    const model = buildMnistCnn(1, { filters1: 4, filters2: 8, kernelSize: 5, denseUnits: 16, dropout: 0.4 }); // the real layers, fewer filters: SwiftShader is slow
    const images = tf.tensor4d(
      values(2 * 28 * 28, 7).map((v) => (v + 1) / 2),
      [2, 28, 28, 1],
    );
    const y = tf.oneHot(tf.tensor1d([3, 8], 'int32'), 10);
    const vars = trainable(model);
    const got = await onBoth(() => [model.predict(images) as tf.Tensor, ...gradients(vars, () => tf.losses.softmaxCrossEntropy(y, tf.log(model.apply(images) as tf.Tensor)) as tf.Scalar)]);
    expectClose(got, 'MNIST CNN predictions and gradients');
    tf.dispose([images, y]);
    model.dispose();
  });

  it('autoencoder and VAE', async () => {
    const images = tf.tensor4d(
      values(2 * 28 * 28, 9).map((v) => (v + 1) / 2),
      [2, 28, 28, 1],
    );
    const denoiser = buildDenoiser(1);
    const vae = buildVae(VAE_CONFIG, 1);
    const z = tf.tensor2d(values(2 * VAE_CONFIG.latentDim, 13), [2, VAE_CONFIG.latentDim]);
    expectClose(await onBoth(() => [denoiser.predict(images) as tf.Tensor, ...(vae.encoder.predict(images) as tf.Tensor[]), vae.decoder.predict(z) as tf.Tensor]), 'autoencoder and VAE');
    tf.dispose([images, z]);
    denoiser.dispose();
    vae.encoder.dispose();
    vae.decoder.dispose();
  });

  it('DCGAN and conditional GAN: generator and discriminator', async () => {
    const config = { ...GAN_CONFIG, noiseDim: 16, gFilters: [8, 4] as [number, number], dFilters: [4, 8] as [number, number] }; // fewer filters: SwiftShader is slow
    const z = tf.tensor2d(values(2 * config.noiseDim, 17), [2, config.noiseDim]);
    const labels = tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10).toFloat();
    const images = tf.tensor4d(values(2 * 28 * 28, 19), [2, 28, 28, 1]);
    const dcgan: Gan = buildGan('dcgan', config, 1);
    const cgan: Gan = buildGan('cgan', config, 2);
    const got = await onBoth(() =>
      tf.tidy(() => {
        const fake = dcgan.generator.predict(z) as tf.Tensor;
        const fakeC = cgan.generator.predict([z, labels]) as tf.Tensor;
        // The discriminators judge images in [-1, 1] (an untrained generator's are all near 0, which
        // leaves logits so small that float32 rounding alone is 1e-4 of them).
        return [fake, dcgan.discriminator.predict(images) as tf.Tensor, fakeC, cgan.discriminator.predict([images, labels]) as tf.Tensor];
      }),
    );
    expectClose(got, 'GANs');
    tf.dispose([z, labels, images]);
    for (const m of [dcgan.generator, dcgan.discriminator, cgan.generator, cgan.discriminator]) m.dispose();
  });

  it('AddN of more tensors than a shader can bind (clipping gradients by global norm sums one per variable)', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => tf.tensor1d(values(5, 100 + i)));
    const got = await onBoth(() => tf.addN(parts));
    expectClose(got, 'addN of 20');
    tf.dispose(parts);
  });

  it('a synchronous read of a GPU tensor says to use data()', async () => {
    await tf.setBackend('webgpu');
    const t = tf.tensor1d([1, 2, 3]).square();
    expect(() => t.dataSync()).toThrow(/use await data\(\)/);
    t.dispose();
  });
});
