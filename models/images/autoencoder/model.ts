// The denoising autoencoder: two stride-2 convolutions down to 7x7 (32, 64 channels), two
// transposed convolutions back up to 28x28 (32, 16), and a sigmoid output (intensities in [0, 1]).
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../../lib/random.js';

export function buildDenoiser(seed: number): tf.LayersModel {
  const init = (i: number) => tf.initializers.heNormal({ seed: deriveSeed(seed, i) });
  const input = tf.input({ shape: [28, 28, 1], name: 'noisy' });
  let x = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(x) as tf.SymbolicTensor;
  // Channels halve as resolution doubles: the 28x28 layers dominate the cost of a training step.
  x = tf.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(3) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(4) }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .conv2d({ name: 'clean', filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 5) }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'denoiser' });
}

export function compileDenoiser(model: tf.LayersModel, learningRate: number): void {
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'binaryCrossentropy' });
}
