// `npm run train -- autoencoder`: trains the denoiser on (noisy, clean) pairs, with fresh
// Gaussian noise each batch; then reports PSNR before/after on the test digits and saves it.
import * as tf from '@tensorflow/tfjs';
import { printResultJson, roundDeep } from '../../../cli/report.js';
import { saveModel } from '../../store/model-store.js';
import { imageBatch } from '../shared/batches.js';
import { deriveSeed } from '../../../lib/random.js';
import { releaseRun, resumeOrCreate, runProvenance, setupTrainingRun, trainingRecord, historyRecord } from '../shared/run-setup.js';
import { trainSpec } from '../shared/train-cli.js';
import { trainEpochs } from '../shared/train-epochs.js';
import { denoiseScores, EVAL_NOISE_SEED } from './evaluate.js';
import { buildDenoiser, compileDenoiser } from './model.js';
import { addGaussianNoise, DEFAULT_NOISE_SIGMA } from './noise.js';

export const spec = trainSpec(
  'autoencoder',
  'Train the denoising convolutional autoencoder.',
  { epochs: 6, batchSize: 128 },
  {
    lr: { type: 'number', min: 0, default: 0.001, description: 'Adam learning rate' },
    sigma: { type: 'number', min: 0, max: 2, default: DEFAULT_NOISE_SIGMA, description: 'std of the Gaussian noise added to [0,1] pixels (then clipped)' },
  },
);

export async function main(argv: string[]): Promise<void> {
  const run = await setupTrainingRun('autoencoder', spec, argv);
  const { options: o, seed, epochs, batch } = run;
  const sigma = o.sigma;
  const state = await resumeOrCreate(run, ['model'], () => {
    const model = buildDenoiser(seed);
    compileDenoiser(model, o.lr);
    return { model };
  });
  const { model } = state.models;

  const seconds = await trainEpochs(run, state, {
    checkpoint: { models: { model } },
    step: async (idx, { epoch, batch: b }) => {
      const clean = imageBatch(run.train, idx);
      const noisy = addGaussianNoise(clean, sigma, deriveSeed(seed, epoch * 100_000 + b));
      const bce = (await model.trainOnBatch(noisy, clean)) as number;
      tf.dispose([clean, noisy]);
      return { bce };
    },
  });

  const scores = await denoiseScores(model, run.data.test, sigma, EVAL_NOISE_SEED);
  console.error(`test PSNR: noisy ${scores.psnrNoisy.toFixed(2)} dB -> denoised ${scores.psnrDenoised.toFixed(2)} dB (${scores.n} digits)`);
  await saveModel(model, run.outDir, {
    name: 'autoencoder',
    kind: 'denoising-autoencoder',
    description: 'Denoising conv autoencoder: conv s2 (32) - conv s2 (64) - convT s2 (32) - convT s2 (16) - conv sigmoid',
    input: { shape: [28, 28, 1], range: '[0, 1]', noise: { kind: 'gaussian, clipped to [0,1]', sigma } },
    ...runProvenance(run),
    metrics: { ...scores, evalNoiseSeed: EVAL_NOISE_SEED, psnr: 'mean over test digits of 10 log10(1/MSE), pixels in [0,1]', ...historyRecord(state.history) },
    extra: { loss: 'binary cross-entropy', optimizer: `adam lr ${o.lr}, batch ${batch}`, ...trainingRecord(seconds) },
  });
  console.error(`saved ${run.outDir}`);
  printResultJson(roundDeep({ model: 'autoencoder', epochs, ...scores, seconds: Math.round(seconds), out: run.outDir }));
  releaseRun({ model });
}
