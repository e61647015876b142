// One few-shot comparison: the same `shots` labelled examples per digit of a transformed task
// train (a) a new softmax layer on the pretrained CNN's frozen conv features and (b) the whole
// CNN from scratch; both are scored on the transformed test set.
import * as tf from '@tensorflow/tfjs';
import { subset, type MnistSet } from '../../../data/mnist/types.js';
import { accuracyOn } from '../mnist-cnn/classify.js';
import { imageBatch, labelBatch, rangeIndices } from '../shared/batches.js';
import { createRandom, deriveSeed } from '../../../lib/random.js';
import { buildScratchCnn, buildTransferHead, featureExtractor } from './models.js';
import { fewShotIndices } from './tasks.js';

export interface TransferOptions {
  shots: number;
  seed: number;
  /** Passes over the few examples, for both contenders. */
  epochs: number;
  learningRate: number;
}

export interface TransferResult {
  transfer: number;
  scratch: number;
  trainExamples: number;
}

export async function runTransferExperiment(cnn: tf.LayersModel, train: MnistSet, test: MnistSet, o: TransferOptions): Promise<TransferResult> {
  const few = subset(train, fewShotIndices(train, o.shots, createRandom(deriveSeed(o.seed, 1))));
  const x = imageBatch(few, rangeIndices(0, few.count));
  const y = labelBatch(few, rangeIndices(0, few.count));
  const batchSize = Math.min(32, few.count);

  // (a) transfer: train the head on the frozen features, then score features -> head end to end.
  const extractor = featureExtractor(cnn);
  const features = extractor.predict(x) as tf.Tensor2D;
  const head = buildTransferHead(features.shape[1], o.seed, o.learningRate);
  await head.fit(features, y, { epochs: o.epochs, batchSize, shuffle: true, verbose: 0 });
  const transferModel = tf.model({ inputs: extractor.inputs, outputs: head.apply(extractor.outputs[0]!) as tf.SymbolicTensor });
  const transfer = (await accuracyOn(transferModel, test)).accuracy;

  // (b) scratch: the full CNN, fresh weights, the same examples and passes.
  const scratchModel = buildScratchCnn(o.seed, o.learningRate);
  await scratchModel.fit(x, y, { epochs: o.epochs, batchSize, shuffle: true, verbose: 0 });
  const scratch = (await accuracyOn(scratchModel, test)).accuracy;

  tf.dispose([x, y, features]);
  head.dispose();
  scratchModel.dispose();
  return { transfer, scratch, trainExamples: few.count };
}
