// What the GAN judges (eval cgan, eval dcgan) share: the judge/seed/backend options, and loading
// the generator (of the right kind), the judging CNN and the real MNIST test digits.
import type * as tf from '@tensorflow/tfjs';
import { defineOption } from '../../../cli/args.js';
import { backendOption, useBackend } from '../../../cli/backend-option.js';
import { loadMnist } from '../../../data/mnist/load.js';
import type { MnistData } from '../../../data/mnist/types.js';
import { loadModel, modelDir } from '../../store/model-store.js';
import { JUDGE_SEED } from './judge-cnn.js';
import { loadGenerator } from './load.js';
import { isConditional } from './models.js';

export const judgeOptions = {
  judge: defineOption({ type: 'path', default: modelDir('mnist-cnn'), description: 'classifier model folder' }),
  seed: defineOption({ type: 'integer', min: 0, default: JUDGE_SEED, description: 'noise seed' }),
  backend: backendOption,
};

/** The parsed options loadForJudging reads (both judges declare them). */
interface JudgingOptions {
  backend: string;
  model: string;
  judge: string;
  data: string | undefined;
}

export async function loadForJudging(o: JudgingOptions, kind: 'conditional' | 'unconditional'): Promise<{ generator: tf.LayersModel; cnn: tf.LayersModel; data: MnistData }> {
  await useBackend(o.backend);
  const { generator } = await loadGenerator(o.model);
  if (kind === 'conditional' && !isConditional(generator)) throw new Error(`${o.model} is not a conditional generator (it takes no label): use npm run eval -- dcgan`);
  if (kind === 'unconditional' && isConditional(generator)) throw new Error(`${o.model} is a conditional generator: use npm run eval -- cgan`);
  const { model: cnn } = await loadModel(o.judge);
  const data = await loadMnist(o.data);
  return { generator, cnn, data };
}
