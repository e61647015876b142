// The two contenders on a few-shot task. Transfer: the trained CNN's conv stack, frozen, up to
// its flattened features, plus a new softmax layer. Scratch: the same CNN architecture with fresh
// weights, trained end to end on the same few examples.
import * as tf from '@tensorflow/tfjs';
import { buildMnistCnn, FEATURES_LAYER } from '../mnist-cnn/model.js';
import { deriveSeed } from '../../../lib/random.js';

/** The pretrained CNN's feature extractor (weights shared with `cnn`, frozen). */
export function featureExtractor(cnn: tf.LayersModel): tf.LayersModel {
  const features = tf.model({ inputs: cnn.inputs, outputs: cnn.getLayer(FEATURES_LAYER).output as tf.SymbolicTensor });
  features.layers.forEach((l) => (l.trainable = false));
  return features;
}

/** A softmax layer on top of the frozen features; trained on precomputed features. */
export function buildTransferHead(featureSize: number, seed: number, learningRate: number): tf.LayersModel {
  const head = tf.sequential({
    layers: [
      tf.layers.dropout({ inputShape: [featureSize], rate: 0.3, seed: deriveSeed(seed, 1) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 2) }) }),
    ],
  });
  head.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return head;
}

export function buildScratchCnn(seed: number, learningRate: number): tf.LayersModel {
  const model = buildMnistCnn(seed);
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
