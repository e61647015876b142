// The convolutional VAE: an encoder to the mean and log-variance of q(z|x), and a decoder from z
// to Bernoulli logits for each pixel. Two plain LayersModels, so each saves in the tfjs format;
// the sampling and the loss live in loss.ts.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../../lib/random.js';

export interface VaeConfig {
  latentDim: number;
  /** Width of the dense layer between the conv stack and the latent code. */
  hidden: number;
}

export const VAE_CONFIG: VaeConfig = { latentDim: 32, hidden: 256 };
export const VAE_2D_CONFIG: VaeConfig = { latentDim: 2, hidden: 256 };

// A type alias (not an interface) so that it is a Record<string, LayersModel> for checkpoints.
export type Vae = {
  /** image [n,28,28,1] in [0,1] -> [mean [n,d], logVar [n,d]] */
  encoder: tf.LayersModel;
  /** z [n,d] -> logits [n,28,28,1] */
  decoder: tf.LayersModel;
};

export function buildVae(c: VaeConfig, seed: number): Vae {
  const he = (i: number) => tf.initializers.heNormal({ seed: deriveSeed(seed, i) });
  const glorot = (i: number) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) });

  const image = tf.input({ shape: [28, 28, 1], name: 'image' });
  let h = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he(1) }).apply(image) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he(2) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: c.hidden, activation: 'relu', kernelInitializer: he(3) }).apply(h) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ name: 'z_mean', units: c.latentDim, kernelInitializer: glorot(4) }).apply(h) as tf.SymbolicTensor;
  // Starts near log-variance 0 (unit variance); small weights keep early exp(logVar) tame.
  const logVar = tf.layers.dense({ name: 'z_log_var', units: c.latentDim, kernelInitializer: tf.initializers.randomNormal({ stddev: 1e-3, seed: deriveSeed(seed, 5) }) }).apply(h) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: image, outputs: [mean, logVar], name: 'vae_encoder' });

  const z = tf.input({ shape: [c.latentDim], name: 'z' });
  let g = tf.layers.dense({ units: c.hidden, activation: 'relu', kernelInitializer: he(6) }).apply(z) as tf.SymbolicTensor;
  g = tf.layers.dense({ units: 7 * 7 * 64, activation: 'relu', kernelInitializer: he(7) }).apply(g) as tf.SymbolicTensor;
  g = tf.layers.reshape({ targetShape: [7, 7, 64] }).apply(g) as tf.SymbolicTensor;
  // Channels halve as resolution doubles: the 28x28 layers dominate the cost of a training step.
  g = tf.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he(8) }).apply(g) as tf.SymbolicTensor;
  g = tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he(9) }).apply(g) as tf.SymbolicTensor;
  const logits = tf.layers.conv2d({ name: 'logits', filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: glorot(10) }).apply(g) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: z, outputs: logits, name: 'vae_decoder' });
  return { encoder, decoder };
}

export function latentDimOf(vae: Vae): number {
  const shape = vae.decoder.inputs[0]!.shape;
  return shape[shape.length - 1] as number;
}
