// -ELBO of a VAE on binarized digits, with its two parts and the KL per latent dimension,
// averaged over the set. The test binarization and eps are seeded, so repeated runs agree.
import * as tf from '@tensorflow/tfjs';
import type { MnistSet } from '../../../data/mnist/types.js';
import { batchRanges, imageBatch, rangeIndices } from '../shared/batches.js';
import { deriveSeed } from '../../../lib/random.js';
import { binarize, type Binarization } from './binarize.js';
import { elboTerms } from './loss.js';
import { latentDimOf, type Vae } from './model.js';

export const EVAL_SEED = 2024;

export interface ElboReport {
  negElbo: number;
  recon: number;
  kl: number;
  klPerDim: number[];
  /** Latent dimensions whose mean KL exceeds 0.01 nats (the rest carry no information). */
  activeDims: number;
  n: number;
}

export async function evaluateElbo(vae: Vae, set: MnistSet, how: Binarization, seed = EVAL_SEED, onBatch?: (n: number) => void): Promise<ElboReport> {
  const d = latentDimOf(vae);
  let recon = 0;
  const kl = new Float64Array(d);
  let b = 0;
  for (const [s, e] of batchRanges(set.count, 250)) {
    const [r, k] = tf.tidy(() => {
      const x = binarize(imageBatch(set, rangeIndices(s, e)), how, deriveSeed(seed, 2 * b));
      const eps = tf.randomNormal([e - s, d], 0, 1, 'float32', deriveSeed(seed, 2 * b + 1)) as tf.Tensor2D;
      const t = elboTerms(vae, x, eps);
      return [tf.sum(t.recon), tf.sum(t.klPerDim, 0)];
    });
    b++;
    recon += (await r!.data())[0]!;
    const kd = await k!.data();
    for (let j = 0; j < d; j++) kl[j] += kd[j]!;
    tf.dispose([r!, k!]);
    onBatch?.(e - s);
  }
  const n = set.count;
  const klPerDim = Array.from(kl, (v) => v / n);
  const klTotal = klPerDim.reduce((a, v) => a + v, 0);
  return { negElbo: recon / n + klTotal, recon: recon / n, kl: klTotal, klPerDim, activeDims: klPerDim.filter((v) => v > 0.01).length, n };
}
