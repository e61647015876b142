// The non-saturating GAN losses on discriminator logits (sigmoid cross-entropy).
import * as tf from '@tensorflow/tfjs';

/** Mean sigmoid cross-entropy of logits against a constant target. */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  // max(l, 0) - l*t + log(1 + exp(-|l|))
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.softplus(tf.neg(tf.abs(logits)))));
}

/** D wants real -> realTarget (one-sided label smoothing when < 1) and fake -> 0. */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor, realTarget: number): tf.Scalar {
  return tf.add(bceWithLogits(realLogits, realTarget), bceWithLogits(fakeLogits, 0));
}

/** G wants D to call its samples real. */
export function generatorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return bceWithLogits(fakeLogits, 1);
}

/** The auxiliary classifier's loss: mean softmax cross-entropy of digit logits against one-hot labels. */
export function digitLoss(digitLogits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(oneHot, digitLogits) as tf.Scalar;
}
