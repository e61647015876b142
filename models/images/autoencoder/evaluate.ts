// PSNR of noisy and denoised digits against the clean ones, averaged over a set. The noise is
// seeded per batch so that every evaluation sees the same corrupted digits.
import * as tf from '@tensorflow/tfjs';
import type { MnistSet } from '../../../data/mnist/types.js';
import { batchRanges, imageBatch, rangeIndices } from '../shared/batches.js';
import { deriveSeed } from '../../../lib/random.js';
import { addGaussianNoise } from './noise.js';
import { psnrPerImage } from './psnr.js';

/** The seed of the test-set noise, shared by train's final report and the eval command. */
export const EVAL_NOISE_SEED = 12345;

export interface DenoiseScores {
  psnrNoisy: number;
  psnrDenoised: number;
  n: number;
}

export async function denoiseScores(model: tf.LayersModel, set: MnistSet, sigma: number, seed: number, onBatch?: (n: number) => void): Promise<DenoiseScores> {
  let noisySum = 0;
  let denoisedSum = 0;
  let b = 0;
  for (const [s, e] of batchRanges(set.count, 500)) {
    const clean = imageBatch(set, rangeIndices(s, e));
    const noisy = addGaussianNoise(clean, sigma, deriveSeed(seed, b++));
    const denoised = tf.tidy(() => model.predict(noisy) as tf.Tensor);
    for (const v of await psnrPerImage(noisy, clean)) noisySum += v;
    for (const v of await psnrPerImage(denoised, clean)) denoisedSum += v;
    tf.dispose([clean, noisy, denoised]);
    onBatch?.(e - s);
  }
  return { psnrNoisy: noisySum / set.count, psnrDenoised: denoisedSum / set.count, n: set.count };
}
