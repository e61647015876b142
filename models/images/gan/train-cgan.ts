// `npm run train -- cgan`: trains the conditional GAN, then (when the trained CNN exists) judges
// it: conditional accuracy and diversity go into its metadata.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, modelDir } from '../../store/model-store.js';
import { judgeConditionalGenerator } from './judge.js';
import { trainGan } from './train-loop.js';

/** The noise seed of the judge, shared with `npm run eval -- cgan`. */
export const JUDGE_SEED = 777;

export const main = (argv: string[]): Promise<void> =>
  trainGan('cgan', argv, {
    finalMetrics: async (gan, run) => {
      const cnnDir = modelDir('mnist-cnn');
      if (!existsSync(join(cnnDir, 'model.json'))) {
        console.error('note: no trained mnist-cnn to judge the samples; run `npm run eval -- cgan` once it exists');
        return {};
      }
      const { model: cnn } = await loadModel(cnnDir);
      const j = await judgeConditionalGenerator(gan.generator, cnn, run.data.test, { perLabel: 1000, diversitySamples: 200, seed: JUDGE_SEED });
      console.error(`judge: ${(j.conditionalAccuracy * 100).toFixed(2)}% classified as requested; diversity ${j.diversity.toFixed(3)} vs real ${j.realDiversity.toFixed(3)}`);
      cnn.dispose();
      return { ...j, judge: 'models/trained/mnist-cnn', judgeSeed: JUDGE_SEED };
    },
  });
