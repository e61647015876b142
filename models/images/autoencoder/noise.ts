// The corruption the denoiser learns to undo: additive Gaussian noise, clipped back to [0, 1].
import * as tf from '@tensorflow/tfjs';

export const DEFAULT_NOISE_SIGMA = 0.5;

export function addGaussianNoise<T extends tf.Tensor>(x: T, sigma: number, seed?: number): T {
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, sigma, 'float32', seed)), 0, 1) as T);
}
