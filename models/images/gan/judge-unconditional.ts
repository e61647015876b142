// Judging an unconditional generator (the DCGAN) with the trained CNN, each figure next to the same
// figure for real test digits. Quality: the CNN's mean confidence (max probability) and the "MNIST
// score" exp(E_x KL(p(y|x) || p(y))), the Inception Score with the MNIST CNN as the classifier (10
// at best: confident on every sample and all digits equally often). Mode collapse: the share of
// samples per digit and its normalised entropy (1 = all digits equally often), and the mean pairwise
// L2 distance between samples (pixels in [0, 1]) against real digits.
import * as tf from '@tensorflow/tfjs';
import type { MnistSet } from '../../../data/mnist/types.js';
import { batchRanges, imageBatch, rangeIndices } from '../shared/batches.js';
import { deriveSeed } from '../../../lib/random.js';
import { meanPairwiseL2 } from './judge.js';
import { noiseDimOf } from './models.js';
import { generate, noise } from './sampling.js';

export interface ClassifierFigures {
  /** Share of images the CNN calls each digit. */
  digitShares: number[];
  /** Entropy of digitShares over log(10). */
  digitBalance: number;
  meanConfidence: number;
  mnistScore: number;
  /** Mean pairwise L2 of the first `diversitySamples` images. */
  diversity: number;
}

export interface UnconditionalJudgement extends ClassifierFigures {
  real: ClassifierFigures;
  diversityRatio: number;
  /** Generated samples classified. */
  n: number;
}

const BATCH = 500;

/** The figures for images drawn batch by batch by `draw(start, end)` ([b, 28, 28, 1] in [0, 1]). */
async function classifierFigures(classifier: tf.LayersModel, n: number, diversitySamples: number, draw: (start: number, end: number) => tf.Tensor4D): Promise<ClassifierFigures> {
  const probs = new Float32Array(n * 10);
  let diversity = NaN;
  for (const [s, e] of batchRanges(n, BATCH)) {
    const images = draw(s, e);
    const p = tf.tidy(() => classifier.predict(images) as tf.Tensor2D);
    probs.set(await p.data(), s * 10);
    if (s === 0) {
      const k = Math.min(diversitySamples, e - s);
      const flat = tf.tidy(() => images.slice([0, 0, 0, 0], [k, -1, -1, -1]).reshape([k, -1]) as tf.Tensor2D);
      diversity = await meanPairwiseL2(flat);
      flat.dispose();
    }
    tf.dispose([images, p]);
  }
  const counts = new Array<number>(10).fill(0);
  const marginal = new Array<number>(10).fill(0);
  let confidence = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[i * 10 + c]! > probs[i * 10 + best]!) best = c;
    counts[best]!++;
    confidence += probs[i * 10 + best]!;
    for (let c = 0; c < 10; c++) marginal[c]! += probs[i * 10 + c]! / n;
  }
  let klSum = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 10; c++) {
      const q = probs[i * 10 + c]!;
      if (q > 0) klSum += q * (Math.log(q) - Math.log(marginal[c]!));
    }
  }
  const digitShares = counts.map((k) => k / n);
  const entropy = -digitShares.reduce((h, s) => (s > 0 ? h + s * Math.log(s) : h), 0);
  return { digitShares, digitBalance: entropy / Math.log(10), meanConfidence: confidence / n, mnistScore: Math.exp(klSum / n), diversity };
}

export async function judgeUnconditionalGenerator(
  generator: tf.LayersModel,
  classifier: tf.LayersModel,
  realTest: MnistSet,
  opts: { n: number; diversitySamples: number; seed: number },
): Promise<UnconditionalJudgement> {
  if (opts.diversitySamples < 2) throw new Error('judgeUnconditionalGenerator: need at least 2 diversity samples');
  const dim = noiseDimOf(generator);
  const fake = await classifierFigures(classifier, opts.n, opts.diversitySamples, (s, e) =>
    tf.tidy(() => {
      const z = noise(e - s, dim, deriveSeed(opts.seed, s));
      return generate(generator, z);
    }),
  );
  const nReal = Math.min(opts.n, realTest.count);
  const real = await classifierFigures(classifier, nReal, opts.diversitySamples, (s, e) => imageBatch(realTest, rangeIndices(s, e)));
  return { ...fake, real, diversityRatio: fake.diversity / real.diversity, n: opts.n };
}
