// Reference architectures for the training benchmark, each with one synthetic batch and a
// training step. Data is random: the benchmark measures throughput, not learning. Build each
// model after selecting its backend (weights are created on the active backend, and the LSTM's
// orthogonal initializer is far slower on cpu than on wasm).
import * as tf from '@tensorflow/tfjs';
import { buildLanguageModel, compileLanguageModel } from '../models/lm/model.js';
import { makeTrainStep } from '../models/lm/train-step.js';

export interface TrainableBench {
  /** One optimisation step on the prepared batch; resolves once the step's work is done. */
  step(): Promise<void>;
  /** Samples (sequences, images) consumed by one step. */
  samplesPerStep: number;
  /** Releases the model, optimiser state and data. */
  dispose(): void;
}

export const MODEL_NAMES = ['har', 'lstm', 'mnistCnn', 'vae', 'dcgan'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** HAR 1D-CNN: 128 timesteps x 3 accelerometer axes -> 6 activities. */
export function harCnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv1d({ inputShape: [128, 3], filters: 64, kernelSize: 5, activation: 'relu' }));
  m.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  m.add(tf.layers.conv1d({ filters: 64, kernelSize: 5, activation: 'relu' }));
  m.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  m.add(tf.layers.conv1d({ filters: 64, kernelSize: 5, activation: 'relu' }));
  m.add(tf.layers.globalAveragePooling1d());
  m.add(tf.layers.dense({ units: 6, activation: 'softmax' }));
  return m;
}

/** MNIST CNN: conv 32@5x5 -> pool -> conv 64@5x5 -> pool -> dense 128 -> 10. */
export function mnistCnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 5, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

export const VAE_LATENT = 16;

/** Conv VAE encoder: 28x28x1 -> strided convs -> [mu, logvar] (2 x latent). */
export function vaeEncoder(latent = VAE_LATENT): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 2 * latent }));
  return m;
}

/** Conv VAE decoder: latent -> 7x7x64 -> transposed convs -> 28x28x1 logits. */
export function vaeDecoder(latent = VAE_LATENT): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [latent], units: 7 * 7 * 64, activation: 'relu' }));
  m.add(tf.layers.reshape({ targetShape: [7, 7, 64] }));
  m.add(tf.layers.conv2dTranspose({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, padding: 'same' }));
  return m;
}

export const GAN_NOISE = 100;

/** DCGAN generator: noise -> dense 7x7x128 -> transposed convs with batch norm -> 28x28x1 tanh. */
export function dcganGenerator(noise = GAN_NOISE): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [noise], units: 7 * 7 * 128, useBias: false }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.reshape({ targetShape: [7, 7, 128] }));
  m.add(tf.layers.conv2dTranspose({ filters: 64, kernelSize: 5, strides: 2, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }));
  return m;
}

/** DCGAN discriminator: strided convs with LeakyReLU and dropout -> one real/fake logit. */
export function dcganDiscriminator(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 5, strides: 2, padding: 'same' }));
  m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.conv2d({ filters: 128, kernelSize: 5, strides: 2, padding: 'same' }));
  m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 1 }));
  return m;
}

function randomLabels(batch: number, classes: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32'), classes).toFloat());
}

/** A compiled Keras-style model trained with trainOnBatch on a fixed batch. */
function kerasBench(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: string): TrainableBench {
  model.compile({ optimizer: tf.train.adam(1e-3), loss });
  return {
    samplesPerStep: x.shape[0]!,
    async step() {
      await model.trainOnBatch(x, y); // resolves after reading the loss back, so the step is done
    },
    dispose() {
      model.optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

function trainableVars(...models: tf.LayersModel[]): tf.Variable[] {
  // read() hands back the layer's own tf.Variable (not a copy), which is what minimize() needs.
  return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
}

export function harBench(batch: number): TrainableBench {
  return kerasBench(harCnn(), tf.randomNormal([batch, 128, 3]), randomLabels(batch, 6), 'categoricalCrossentropy');
}

/**
 * The project's own language model (models/lm/model.ts) as shakespeare-char is built: vocabulary
 * 66, embedding 64, LSTM(256) with logistic gates, softmax over every position of a 64-token
 * window, trained by the step `npm run train -- lm` uses (fused sparse cross-entropy, adam, clip).
 */
export function lstmBench(batch: number, vocab = 66, seqLen = 64): TrainableBench {
  const tokens = tf.randomUniform([batch, seqLen + 1], 0, vocab, 'int32');
  const x = tf.slice(tokens, [0, 0], [batch, seqLen]) as tf.Tensor2D;
  // Targets: the next token at every position.
  const y = tf.slice(tokens, [0, 1], [batch, seqLen]).reshape([-1]) as tf.Tensor1D;
  tokens.dispose();
  const model = buildLanguageModel({ vocabSize: vocab, embedDim: 64, units: [256], projection: 0, dropout: 0 }, 1);
  compileLanguageModel(model, 2e-3);
  const step = makeTrainStep(model);
  return {
    samplesPerStep: batch,
    async step() {
      await step(x, y); // reads the loss back, so the step is done
    },
    dispose() {
      model.optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

export function mnistBench(batch: number): TrainableBench {
  return kerasBench(mnistCnn(), tf.randomUniform([batch, 28, 28, 1]), randomLabels(batch, 10), 'categoricalCrossentropy');
}

/** Sum over pixels of sigmoid cross-entropy plus the Gaussian KL term, averaged over the batch. */
export function vaeLoss(encoder: tf.LayersModel, decoder: tf.LayersModel, x: tf.Tensor, latent = VAE_LATENT): tf.Scalar {
  return tf.tidy(() => {
    const stats = encoder.apply(x, { training: true }) as tf.Tensor2D;
    const [mu, logvar] = tf.split(stats, [latent, latent], 1) as [tf.Tensor2D, tf.Tensor2D];
    const eps = tf.randomNormal(mu.shape);
    const z = mu.add(tf.exp(logvar.mul(0.5)).mul(eps));
    const logits = decoder.apply(z, { training: true }) as tf.Tensor;
    const bce = tf.losses.sigmoidCrossEntropy(x, logits, undefined, undefined, tf.Reduction.NONE).sum();
    const kl = tf.sum(tf.exp(logvar).add(mu.square()).sub(1).sub(logvar)).mul(0.5);
    return bce.add(kl).div(x.shape[0]!) as tf.Scalar;
  });
}

export function vaeBench(batch: number): TrainableBench {
  const encoder = vaeEncoder();
  const decoder = vaeDecoder();
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const opt = tf.train.adam(1e-3);
  const vars = trainableVars(encoder, decoder);
  return {
    samplesPerStep: batch,
    async step() {
      const loss = opt.minimize(() => vaeLoss(encoder, decoder, x), true, vars)!;
      await loss.data();
      loss.dispose();
    },
    dispose() {
      opt.dispose();
      encoder.dispose();
      decoder.dispose();
      x.dispose();
    },
  };
}

export function dcganBench(batch: number, noise = GAN_NOISE): TrainableBench {
  const gen = dcganGenerator(noise);
  const disc = dcganDiscriminator();
  const real = tf.randomUniform([batch, 28, 28, 1], -1, 1);
  const ones = tf.ones([batch, 1]);
  const zeros = tf.zeros([batch, 1]);
  const dOpt = tf.train.adam(2e-4, 0.5);
  const gOpt = tf.train.adam(2e-4, 0.5);
  const dVars = trainableVars(disc);
  const gVars = trainableVars(gen);
  const bce = (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.sigmoidCrossEntropy(labels, logits);
  return {
    samplesPerStep: batch,
    async step() {
      // One discriminator step on real + generated images, then one generator step.
      const dLoss = dOpt.minimize(
        () =>
          tf.tidy(() => {
            const fake = gen.apply(tf.randomNormal([batch, noise]), { training: true }) as tf.Tensor;
            const realLogits = disc.apply(real, { training: true }) as tf.Tensor;
            const fakeLogits = disc.apply(fake, { training: true }) as tf.Tensor;
            return bce(ones, realLogits).add(bce(zeros, fakeLogits)) as tf.Scalar;
          }),
        true,
        dVars,
      )!;
      const gLoss = gOpt.minimize(
        () =>
          tf.tidy(() => {
            const fake = gen.apply(tf.randomNormal([batch, noise]), { training: true }) as tf.Tensor;
            return bce(ones, disc.apply(fake, { training: true }) as tf.Tensor) as tf.Scalar;
          }),
        true,
        gVars,
      )!;
      await Promise.all([dLoss.data(), gLoss.data()]);
      tf.dispose([dLoss, gLoss]);
    },
    dispose() {
      dOpt.dispose();
      gOpt.dispose();
      gen.dispose();
      disc.dispose();
      tf.dispose([real, ones, zeros]);
    },
  };
}

export const BENCH_FACTORIES: Record<ModelName, (batch: number) => TrainableBench> = {
  har: harBench,
  lstm: lstmBench,
  mnistCnn: mnistBench,
  vae: vaeBench,
  dcgan: dcganBench,
};
