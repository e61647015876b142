// `npm run train -- mnist-cnn`: trains the classifier on MNIST with random shifts of up to 2
// pixels, Adam with a per-epoch learning-rate decay, a checkpoint per epoch; then measures the
// test accuracy and saves the model with its metadata.
import * as tf from '@tensorflow/tfjs';
import { printResultJson, roundDeep } from '../../../cli/report.js';
import { mnistMetadata } from '../../../data/mnist/load.js';
import { subset } from '../../../data/mnist/types.js';
import { saveModel } from '../../store/model-store.js';
import { imageBatch, labelBatch } from '../shared/batches.js';
import type { EpochLogs } from '../shared/epoch-loop.js';
import { setLearningRate } from '../shared/optimizer-state.js';
import { releaseRun, resumeOrCreate, runProvenance, setupTrainingRun, trainingRecord, historyRecord } from '../shared/run-setup.js';
import { trainSpec } from '../shared/train-cli.js';
import { trainEpochs } from '../shared/train-epochs.js';
import { accuracyOn } from './classify.js';
import { buildMnistCnn, compileMnistCnn, DEFAULT_CNN_CONFIG } from './model.js';

export const spec = trainSpec(
  'mnist-cnn',
  'Train the MNIST CNN classifier (conv-pool-conv-pool-dense).',
  { epochs: 12, batchSize: 64 },
  {
    lr: { type: 'number', min: 0, default: 0.001, description: 'initial Adam learning rate' },
    'lr-decay': { type: 'number', min: 0, max: 1, default: 0.75, description: 'learning rate multiplier per epoch' },
    shift: { type: 'integer', min: 0, max: 4, default: 2, description: 'augmentation: random shift of up to N pixels' },
    val: { type: 'integer', min: 0, default: 5000, description: 'training digits held out for per-epoch validation (at most 10%)' },
  },
);

export async function main(argv: string[]): Promise<void> {
  const run = await setupTrainingRun('mnist-cnn', spec, argv);
  const { options: o, seed, epochs, batch } = run;
  const lr0 = o.lr;
  const lrDecay = o['lr-decay'];
  const maxShift = o.shift;
  const valCount = Math.min(o.val, Math.floor(run.train.count / 10));
  const train = subset(
    run.train,
    Array.from({ length: run.train.count - valCount }, (_, i) => i),
  );
  const val = subset(
    run.train,
    Array.from({ length: valCount }, (_, i) => run.train.count - valCount + i),
  );
  console.error(`training on ${train.count}, validating on ${val.count}`);

  const state = await resumeOrCreate(run, ['model'], () => {
    const model = buildMnistCnn(seed);
    compileMnistCnn(model, lr0);
    return { model };
  });
  const { model } = state.models;

  const seconds = await trainEpochs(run, state, {
    train,
    checkpoint: { models: { model } },
    beforeEpoch: (epoch) => setLearningRate(model.optimizer, lr0 * lrDecay ** epoch),
    step: async (idx, { rand }) => {
      const x = imageBatch(train, idx, { maxShift, rand });
      const y = labelBatch(train, idx);
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      return { loss: loss!, acc: acc! };
    },
    epochFigures: async (): Promise<EpochLogs> => (val.count > 0 ? { valAcc: (await accuracyOn(model, val)).accuracy } : {}),
  });

  const test = await accuracyOn(model, run.data.test);
  console.error(`test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${run.data.test.count} digits`);
  const metrics = { testAccuracy: test.accuracy, testCount: run.data.test.count, validationAccuracy: state.history.at(-1)?.valAcc ?? null };
  await saveModel(model, run.outDir, {
    name: 'mnist-cnn',
    kind: 'mnist-cnn',
    description: 'MNIST digit classifier: conv(5x5) - maxpool - conv(5x5) - maxpool - dense - dropout - softmax',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    input: { shape: [28, 28, 1], range: '[0, 1]', polarity: 'white digit on black (MNIST)' },
    ...runProvenance(run),
    data: { ...mnistMetadata(run.data), validation: `last ${valCount} training digits held out` },
    metrics: { ...metrics, ...historyRecord(state.history) },
    extra: {
      architecture: DEFAULT_CNN_CONFIG,
      augmentation: `random shifts of up to ${maxShift} px`,
      optimizer: `adam lr ${lr0} x ${lrDecay}^epoch, batch ${batch}`,
      ...trainingRecord(seconds),
    },
  });
  console.error(`saved ${run.outDir}`);
  printResultJson(roundDeep({ model: 'mnist-cnn', epochs, ...metrics, seconds: Math.round(seconds), out: run.outDir }));
  releaseRun({ model });
}
