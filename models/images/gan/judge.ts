// Judging a conditional generator. Conditional accuracy: the share of samples asked for digit d
// that the trained CNN classifies as d. Diversity: the mean pairwise L2 distance (pixels in
// [0, 1]) between samples of the same label, next to the same figure for real test digits; a
// collapsed generator scores far below the real digits, a ratio near 1 means as varied as real.
import * as tf from '@tensorflow/tfjs';
import type { MnistSet } from '../../../data/mnist/types.js';
import { imageBatch } from '../shared/batches.js';
import { deriveSeed } from '../../../lib/random.js';
import { noiseDimOf } from './models.js';
import { generate, noise } from './sampling.js';

export interface ConditionalJudgement {
  conditionalAccuracy: number;
  perLabelAccuracy: number[];
  /** Mean same-label pairwise L2 of generated samples. */
  diversity: number;
  /** The same for real test digits. */
  realDiversity: number;
  diversityRatio: number;
  /** Generated samples classified. */
  n: number;
}

/** Mean L2 distance over all pairs of rows of x [m, p]. */
export async function meanPairwiseL2(x: tf.Tensor2D): Promise<number> {
  const m = x.shape[0];
  if (m < 2) throw new Error('meanPairwiseL2: need at least 2 samples');
  const d = tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1);
    const d2 = tf.sub(tf.add(sq.expandDims(1), sq.expandDims(0)), tf.mul(2, tf.matMul(x, x, false, true)));
    const dist = tf.sqrt(tf.relu(d2)); // relu: rounding can make tiny negatives
    return tf.div(tf.sum(dist), m * (m - 1)); // the diagonal is 0; each pair counted twice
  });
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

export async function judgeConditionalGenerator(
  generator: tf.LayersModel,
  classifier: tf.LayersModel,
  realTest: MnistSet,
  opts: { perLabel: number; diversitySamples: number; seed: number; onLabel?: (label: number) => void },
): Promise<ConditionalJudgement> {
  const dim = noiseDimOf(generator);
  const perLabelAccuracy: number[] = [];
  const genDiv: number[] = [];
  const realDiv: number[] = [];
  for (let label = 0; label < 10; label++) {
    const labels = new Array<number>(opts.perLabel).fill(label);
    const z = noise(opts.perLabel, dim, deriveSeed(opts.seed, label));
    const images = generate(generator, z, labels);
    const predicted = tf.tidy(() => (classifier.predict(images) as tf.Tensor2D).argMax(1));
    const p = await predicted.data();
    let hits = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === label) hits++;
    perLabelAccuracy.push(hits / opts.perLabel);
    const k = Math.min(opts.diversitySamples, opts.perLabel);
    const flat = tf.tidy(() => images.slice([0, 0, 0, 0], [k, -1, -1, -1]).reshape([k, -1]) as tf.Tensor2D);
    genDiv.push(await meanPairwiseL2(flat));
    const realIdx: number[] = [];
    for (let i = 0; i < realTest.count && realIdx.length < k; i++) if (realTest.labels[i] === label) realIdx.push(i);
    const real = tf.tidy(() => imageBatch(realTest, realIdx).reshape([realIdx.length, -1]) as tf.Tensor2D);
    realDiv.push(await meanPairwiseL2(real));
    tf.dispose([z, images, predicted, flat, real]);
    opts.onLabel?.(label);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const diversity = mean(genDiv);
  const realDiversity = mean(realDiv);
  return {
    conditionalAccuracy: mean(perLabelAccuracy),
    perLabelAccuracy,
    diversity,
    realDiversity,
    diversityRatio: diversity / realDiversity,
    n: opts.perLabel * 10,
  };
}
