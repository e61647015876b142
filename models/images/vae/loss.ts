// The VAE objective. For a binary image x with q(z|x) = N(mean, diag(exp(logVar))):
//   -ELBO(x) = E_q[-log p(x|z)] + KL(q(z|x) || N(0, I))
// The reconstruction term is estimated with the reparameterization z = mean + exp(logVar/2) * eps
// (eps ~ N(0, I)), so gradients flow through mean and logVar; the KL term is analytic:
//   KL = sum_j -1/2 (1 + logVar_j - mean_j^2 - exp(logVar_j))   [nats]
// -log p(x|z) is the Bernoulli negative log-likelihood summed over the 784 pixels, computed from
// logits l in the stable form max(l, 0) - l x + log(1 + exp(-|l|)).
import * as tf from '@tensorflow/tfjs';
import type { Vae } from './model.js';

export interface ElboTerms {
  /** [n] reconstruction NLL in nats. */
  recon: tf.Tensor1D;
  /** [n, d] KL per example and latent dimension, in nats. */
  klPerDim: tf.Tensor2D;
  /** [n, 28, 28, 1] decoder logits. */
  logits: tf.Tensor4D;
}

export function reparameterize(mean: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
}

export function analyticKl(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(-0.5, tf.sub(tf.add(1, logVar), tf.add(tf.square(mean), tf.exp(logVar))));
}

/** Per-pixel Bernoulli NLL summed over each image: [n]. */
export function bernoulliNll(logits: tf.Tensor4D, x: tf.Tensor4D): tf.Tensor1D {
  const perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.softplus(tf.neg(tf.abs(logits))));
  return tf.sum(perPixel, [1, 2, 3]) as tf.Tensor1D;
}

/** Both ELBO terms for a batch of binary images; eps is the [n, d] standard-normal draw. */
export function elboTerms(vae: Vae, x: tf.Tensor4D, eps: tf.Tensor2D): ElboTerms {
  const [mean, logVar] = vae.encoder.apply(x) as [tf.Tensor2D, tf.Tensor2D];
  const z = reparameterize(mean, logVar, eps);
  const logits = vae.decoder.apply(z) as tf.Tensor4D;
  return { recon: bernoulliNll(logits, x), klPerDim: analyticKl(mean, logVar), logits };
}

/** The batch mean of -ELBO: the scalar the optimizer minimizes. */
export function negElboLoss(vae: Vae, x: tf.Tensor4D, eps: tf.Tensor2D): tf.Scalar {
  const { recon, klPerDim } = elboTerms(vae, x, eps);
  return tf.mean(tf.add(recon, tf.sum(klPerDim, 1)));
}
