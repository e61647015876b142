// `npm run train -- cgan`: trains the conditional GAN, then (when the trained CNN exists) judges
// it: conditional accuracy and diversity go into its metadata.
import { judgeConditionalGenerator } from './judge.js';
import { judgedByCnn, JUDGE_SEED } from './judge-cnn.js';
import { ganTrainSpec, trainGan } from './train-loop.js';

export const spec = ganTrainSpec('cgan');

export const main = (argv: string[]): Promise<void> =>
  trainGan('cgan', argv, {
    finalMetrics: judgedByCnn('run `npm run eval -- cgan` once it exists', async (generator, cnn, test, samples) => {
      const j = await judgeConditionalGenerator(generator, cnn, test, { perLabel: Math.floor(samples / 10), diversitySamples: 200, seed: JUDGE_SEED });
      console.error(`judge: ${(j.conditionalAccuracy * 100).toFixed(2)}% classified as requested; diversity ${j.diversity.toFixed(3)} vs real ${j.realDiversity.toFixed(3)}`);
      return {
        ...j,
        measures: {
          conditionalAccuracy: `share of ${Math.floor(samples / 10)} samples per digit that the CNN classifies as the requested digit`,
          diversity: 'mean pairwise L2 (pixels in [0, 1]) among 200 samples of the same digit, averaged over digits; realDiversity: the same for 200 test digits of each',
          noise: 'z ~ N(0, I), no truncation',
        },
      };
    }),
  });
