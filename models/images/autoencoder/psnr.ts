// Peak signal-to-noise ratio for images in [0, 1]: 10 log10(1 / MSE) in dB, per image.
import * as tf from '@tensorflow/tfjs';

/** MSE floor so that a perfect copy gives a finite PSNR (100 dB). */
const MIN_MSE = 1e-10;

/** One PSNR per image of two [n, ...] tensors in [0, 1]. */
export async function psnrPerImage(a: tf.Tensor, b: tf.Tensor): Promise<Float32Array> {
  if (a.shape.join() !== b.shape.join()) throw new Error(`psnr: shapes differ (${a.shape} vs ${b.shape})`);
  const t = tf.tidy(() => {
    const n = a.shape[0]!;
    const mse = tf
      .squaredDifference(a.reshape([n, -1]), b.reshape([n, -1]))
      .mean(1)
      .maximum(MIN_MSE);
    return tf.mul(-10 / Math.LN10, tf.log(mse)); // 10 log10(1/mse)
  });
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}
