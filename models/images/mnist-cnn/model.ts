// The MNIST classifier: conv -> pool -> conv -> pool -> dense, with dropout before the classifier.
// Layer names are part of the contract: 'conv1' is the layer whose feature maps the API returns,
// and the transfer-learning task reuses everything up to 'features' (the flattened conv output).
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../../lib/random.js';

export const FIRST_CONV_LAYER = 'conv1';
export const FEATURES_LAYER = 'features';

export interface CnnConfig {
  filters1: number;
  filters2: number;
  kernelSize: number;
  denseUnits: number;
  dropout: number;
}

export const DEFAULT_CNN_CONFIG: CnnConfig = { filters1: 32, filters2: 64, kernelSize: 5, denseUnits: 128, dropout: 0.4 };

export function buildMnistCnn(seed: number, c: CnnConfig = DEFAULT_CNN_CONFIG): tf.LayersModel {
  const init = (i: number) => tf.initializers.heNormal({ seed: deriveSeed(seed, i) });
  const input = tf.input({ shape: [28, 28, 1], name: 'image' });
  let x = tf.layers
    .conv2d({ name: FIRST_CONV_LAYER, filters: c.filters1, kernelSize: c.kernelSize, padding: 'same', activation: 'relu', kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ name: 'conv2', filters: c.filters2, kernelSize: c.kernelSize, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: FEATURES_LAYER }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ name: 'dense', units: c.denseUnits, activation: 'relu', kernelInitializer: init(3) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ name: 'dropout', rate: c.dropout, seed: deriveSeed(seed, 4) }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'probs', units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 5) }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'mnist_cnn' });
}

export function compileMnistCnn(model: tf.LayersModel, learningRate: number): void {
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
}
