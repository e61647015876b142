// The judge of both GANs: the committed MNIST CNN, and the noise seed the judgements use (shared
// by the trainers, which write the figures into metadata, and `npm run eval`).
import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MnistSet } from '../../../data/mnist/types.js';
import { loadModel, modelDir } from '../../store/model-store.js';
import type { Gan } from './models.js';
import type { TrainingRun } from '../shared/run-setup.js';

export const JUDGE_SEED = 777;

type Judge = (generator: tf.LayersModel, cnn: tf.LayersModel, realTest: MnistSet, samples: number) => Promise<object>;

/**
 * A trainer's final-metrics hook: `judge`'s figures on the trained generator, with the judge and
 * seed named; none (and a note) while the CNN is not trained yet.
 */
export function judgedByCnn(judgeLater: string, judge: Judge): (gan: Gan, run: TrainingRun, samples: number) => Promise<Record<string, unknown>> {
  return async (gan, run, samples) => {
    const dir = modelDir('mnist-cnn');
    if (!existsSync(join(dir, 'model.json'))) {
      console.error(`note: no trained mnist-cnn (\`npm run train -- mnist-cnn\`) to judge the samples: ${judgeLater}`);
      return {};
    }
    const { model: cnn } = await loadModel(dir);
    try {
      return { ...(await judge(gan.generator, cnn, run.data.test, samples)), judge: 'models/trained/mnist-cnn', judgeSeed: JUDGE_SEED };
    } finally {
      cnn.dispose();
    }
  };
}
