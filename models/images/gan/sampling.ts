// Drawing from a trained generator: noise from a seed, images in [0, 1], walks between two
// noise vectors. Shared by the API, the sample sheets and the CGAN judge.
import * as tf from '@tensorflow/tfjs';
import { isConditional, noiseDimOf } from './models.js';

/** n standard-normal noise vectors; the same seed gives the same vectors. */
export function noise(n: number, dim: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([n, dim], 0, 1, 'float32', seed) as tf.Tensor2D;
}

export function oneHotLabels(labels: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels as number[], 'int32'), 10).toFloat() as tf.Tensor2D);
}

/** Images [n, 28, 28, 1] in [0, 1] for noise z (and labels, for a conditional generator). */
export function generate(generator: tf.LayersModel, z: tf.Tensor2D, labels?: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    if (isConditional(generator)) {
      if (!labels || labels.length !== z.shape[0]) throw new Error('a conditional generator needs one label per noise vector');
      return toUnit(generator.predict([z, oneHotLabels(labels)]) as tf.Tensor4D);
    }
    return toUnit(generator.predict(z) as tf.Tensor4D);
  });
}

/** tanh range [-1, 1] -> [0, 1]. */
export function toUnit(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.add(x, 1), 2));
}

/** [0, 1] -> [-1, 1], the generator's range, for real digits fed to the discriminator. */
export function toTanhRange(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.mul(x, 2), 1));
}

/**
 * `steps` points from a to b (both [d]); 'slerp' follows the great circle, which keeps the points
 * at the norm typical of Gaussian noise (straight lines pass through the low-norm middle).
 */
export function interpolate(a: Float32Array, b: Float32Array, steps: number, how: 'linear' | 'slerp' = 'slerp'): Float32Array[] {
  if (a.length !== b.length) throw new Error('interpolate: vectors differ in length');
  if (steps < 2) throw new Error('interpolate: need at least 2 steps');
  const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / (na * nb || 1))));
  const useLinear = how === 'linear' || Math.sin(omega) < 1e-6;
  return Array.from({ length: steps }, (_, k) => {
    const t = k / (steps - 1);
    const [wa, wb] = useLinear ? [1 - t, t] : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    return Float32Array.from(a, (v, i) => wa * v + wb * b[i]!);
  });
}

/** The noise vector a seed stands for. */
export async function noiseForSeed(generator: tf.LayersModel, seed: number): Promise<Float32Array> {
  const z = noise(1, noiseDimOf(generator), seed);
  const v = (await z.data()) as Float32Array;
  z.dispose();
  return v;
}
