// Binarized MNIST for the Bernoulli VAE. 'sample' draws each pixel as 1 with probability equal
// to its intensity (the usual "dynamically binarized MNIST": fresh draws each training batch, one
// fixed seeded draw for the test set); 'threshold' sets intensity >= 0.5 to 1 (deterministic,
// easier to model, so its figures are lower).
import * as tf from '@tensorflow/tfjs';

export type Binarization = 'sample' | 'threshold';
export const BINARIZATIONS: readonly Binarization[] = ['sample', 'threshold'];

export function isBinarization(v: unknown): v is Binarization {
  return (BINARIZATIONS as readonly unknown[]).includes(v);
}

/** x in [0, 1] -> {0, 1} of the same shape. */
export function binarize<T extends tf.Tensor>(x: T, how: Binarization, seed?: number): T {
  return tf.tidy(() => (how === 'threshold' ? (tf.cast(tf.greaterEqual(x, 0.5), 'float32') as T) : (tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', seed), x), 'float32') as T)));
}
