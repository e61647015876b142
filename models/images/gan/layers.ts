// The building blocks of both GANs, following the DCGAN rules (Radford et al., 2016): strided
// convolutions instead of pooling, transposed convolutions to upsample, batch norm everywhere
// except the generator's output and the discriminator's input, ReLU in the generator with tanh
// at its output, LeakyReLU(0.2) in the discriminator. Weights start from N(0, 0.02).
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../../lib/random.js';

export type Sym = tf.SymbolicTensor;

export interface GanConfig {
  noiseDim: number;
  /** Generator channels at 7x7 and 14x14. */
  gFilters: [number, number];
  /** Discriminator channels at 14x14 and 7x7. */
  dFilters: [number, number];
  kernelSize: number;
}

export const GAN_CONFIG: GanConfig = { noiseDim: 64, gFilters: [64, 32], dFilters: [32, 64], kernelSize: 4 };

const init = (seed: number, i: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: deriveSeed(seed, i) });

/** noise (plus anything concatenated to it) -> 28x28x1 image in [-1, 1]. */
export function generatorBody(input: Sym, c: GanConfig, seed: number): Sym {
  let x = tf.layers.dense({ units: 7 * 7 * c.gFilters[0], useBias: false, kernelInitializer: init(seed, 1) }).apply(input) as Sym;
  x = tf.layers.batchNormalization({ momentum: 0.9 }).apply(x) as Sym;
  x = tf.layers.reLU().apply(x) as Sym;
  x = tf.layers.reshape({ targetShape: [7, 7, c.gFilters[0]] }).apply(x) as Sym;
  x = tf.layers.conv2dTranspose({ filters: c.gFilters[1], kernelSize: c.kernelSize, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(seed, 2) }).apply(x) as Sym; // 14x14
  x = tf.layers.batchNormalization({ momentum: 0.9 }).apply(x) as Sym;
  x = tf.layers.reLU().apply(x) as Sym;
  // The output layer: no batch norm, tanh.
  return tf.layers.conv2dTranspose({ name: 'image', filters: 1, kernelSize: c.kernelSize, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: init(seed, 3) }).apply(x) as Sym; // 28x28
}

/** 28x28xC input (image channels first) -> one real/fake logit, and the flat features it is read from. */
export function discriminatorBody(input: Sym, c: GanConfig, seed: number): { logit: Sym; features: Sym } {
  // The input layer: no batch norm.
  let x = tf.layers.conv2d({ filters: c.dFilters[0], kernelSize: c.kernelSize, strides: 2, padding: 'same', kernelInitializer: init(seed, 11) }).apply(input) as Sym;
  x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as Sym; // 14x14
  x = tf.layers.conv2d({ filters: c.dFilters[1], kernelSize: c.kernelSize, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(seed, 12) }).apply(x) as Sym;
  x = tf.layers.batchNormalization({ momentum: 0.9 }).apply(x) as Sym;
  x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as Sym; // 7x7
  const features = tf.layers.flatten().apply(x) as Sym;
  return { logit: tf.layers.dense({ name: 'logit', units: 1, kernelInitializer: init(seed, 13) }).apply(features) as Sym, features };
}
