// `npm run train -- dcgan`: trains the DCGAN, then (when the trained CNN exists) judges its
// samples with it: quality (CNN confidence, MNIST score) and mode collapse (digit shares,
// diversity), each next to the real test digits' figure, into its metadata.
import { judgeUnconditionalGenerator } from './judge-unconditional.js';
import { judgedByCnn, JUDGE_SEED } from './judge-cnn.js';
import { ganTrainSpec, trainGan } from './train-loop.js';

export const spec = ganTrainSpec('dcgan');

export const main = (argv: string[]): Promise<void> =>
  trainGan('dcgan', argv, {
    finalMetrics: judgedByCnn('the metadata gets no figures', async (generator, cnn, test, samples) => {
      const j = await judgeUnconditionalGenerator(generator, cnn, test, { n: samples, diversitySamples: 1000, seed: JUDGE_SEED });
      console.error(
        `judge: MNIST score ${j.mnistScore.toFixed(3)} (real ${j.real.mnistScore.toFixed(3)}), confidence ${j.meanConfidence.toFixed(3)} (real ${j.real.meanConfidence.toFixed(3)}), digit balance ${j.digitBalance.toFixed(3)}, diversity ratio ${j.diversityRatio.toFixed(3)}`,
      );
      return {
        ...j,
        measures: {
          digitShares: 'share of samples the CNN calls each digit; digitBalance: their entropy / ln 10 (1 = all equally often)',
          meanConfidence: "the CNN's mean top probability",
          mnistScore: 'exp(E_x KL(p(y|x) || p(y))) with the CNN (the Inception Score with an MNIST classifier; 10 at best)',
          diversity: 'mean pairwise L2 (pixels in [0, 1]) among the first 1000 samples; real: the first 1000 test digits',
          noise: 'z ~ N(0, I), no truncation',
        },
      };
    }),
  });
