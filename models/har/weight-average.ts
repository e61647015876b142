// Stochastic weight averaging: the mean of the weights over the last epochs. The sitting/standing
// boundary wanders from epoch to epoch (the classes differ by a few degrees of tilt that vary
// between people); the average settles in the middle of where it wandered, without choosing an
// epoch on validation data.
import * as tf from '@tensorflow/tfjs';

/** Folds `model`'s current weights into `average`, which holds the mean of `count` earlier ones. */
export function accumulateAverage(average: tf.LayersModel, model: tf.LayersModel, count: number): void {
  const current = model.getWeights();
  if (count === 0) {
    average.setWeights(current);
    return;
  }
  const next = tf.tidy(() =>
    average.getWeights().map((a, i) =>
      a
        .mul(count)
        .add(current[i]!)
        .div(count + 1),
    ),
  );
  average.setWeights(next);
  tf.dispose(next);
}
