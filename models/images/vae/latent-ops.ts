// What one does with a trained VAE: encode digits to q(z|x), decode latent vectors to digits,
// sample the prior, walk between two codes, add and subtract codes, and lay a 2-D latent plane
// out as a grid.
import * as tf from '@tensorflow/tfjs';
import { latentDimOf, type Vae } from './model.js';

export interface Encoding {
  mean: number[];
  logVar: number[];
}

/** q(z|x) of each digit of a [n, 28, 28, 1] batch in [0, 1]. */
export async function encode(vae: Vae, x: tf.Tensor4D): Promise<Encoding[]> {
  const [mean, logVar] = vae.encoder.predict(x) as [tf.Tensor2D, tf.Tensor2D];
  const [m, v] = [(await mean.array()) as number[][], (await logVar.array()) as number[][]];
  tf.dispose([mean, logVar]);
  return m.map((row, i) => ({ mean: row, logVar: v[i]! }));
}

/** Pixel probabilities [n, 28, 28, 1] (the Bernoulli means) for latent vectors z [n, d]. */
export function decode(vae: Vae, z: number[][] | tf.Tensor2D): tf.Tensor4D {
  const d = latentDimOf(vae);
  return tf.tidy(() => {
    const zt = z instanceof tf.Tensor ? z : tf.tensor2d(z, [z.length, d]);
    if (zt.shape[1] !== d) throw new RangeError(`latent vectors must have ${d} components (got ${zt.shape[1]})`);
    return tf.sigmoid(vae.decoder.predict(zt) as tf.Tensor4D);
  });
}

/** n draws from the prior N(0, I); the same seed gives the same vectors. */
export async function samplePrior(vae: Vae, n: number, seed: number): Promise<number[][]> {
  const z = tf.randomNormal([n, latentDimOf(vae)], 0, 1, 'float32', seed);
  const rows = (await z.array()) as number[][];
  z.dispose();
  return rows;
}

/** `steps` evenly spaced points on the straight line from a to b (both ends included). */
export function lerpPath(a: number[], b: number[], steps: number): number[][] {
  if (a.length !== b.length) throw new RangeError('lerpPath: vectors differ in length');
  if (steps < 2) throw new RangeError('lerpPath: need at least 2 steps');
  return Array.from({ length: steps }, (_, k) => {
    const t = k / (steps - 1);
    return a.map((v, i) => (1 - t) * v + t * b[i]!);
  });
}

/** a - b + c, component by component ("a without b's traits, with c's"). */
export function latentArithmetic(a: number[], b: number[], c: number[]): number[] {
  return a.map((v, i) => v - b[i]! + c[i]!);
}

/**
 * A size x size grid over the 2-D latent plane, row by row from top-left: coordinates are
 * standard-normal quantiles of evenly spaced probabilities from 1 - coverage to coverage, so the
 * grid covers where the prior puts its mass (the layout of Kingma & Welling's figures).
 */
export function manifoldGrid(size: number, coverage = 0.95): number[][] {
  if (size < 2) throw new RangeError('manifoldGrid: size must be at least 2');
  const lo = 1 - coverage;
  const q = Array.from({ length: size }, (_, k) => inverseNormalCdf(lo + ((coverage - lo) * k) / (size - 1)));
  const out: number[][] = [];
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) out.push([q[c]!, q[size - 1 - r]!]); // y grows upwards
  return out;
}

/** The standard normal quantile function (Acklam's rational approximation, |error| < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`inverseNormalCdf: p must be in (0, 1) (got ${p})`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pLow) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
