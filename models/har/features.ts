// What the network sees: the raw tri-axial window in g plus its magnitude. The raw axes keep the
// gravity direction (which separates sitting, standing and lying); the magnitude |a| - 1 is
// orientation-free, so the moving classes can be told apart however the phone is held.
// Training and inference share this one function so they can never disagree.
import * as tf from '@tensorflow/tfjs';

export const HAR_FEATURES = ['x', 'y', 'z', '|a|-1'] as const;
export const HAR_FEATURE_COUNT = HAR_FEATURES.length;

/** [n, windowSize, 3] in g -> [n, windowSize, HAR_FEATURE_COUNT]. Call inside tf.tidy. */
export function harFeatures(windows: tf.Tensor3D): tf.Tensor3D {
  const magnitude = tf.sqrt(tf.sum(tf.square(windows), -1, true)).sub(1);
  return tf.concat([windows, magnitude], -1) as tf.Tensor3D;
}
