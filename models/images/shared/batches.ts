// Turns MNIST bytes into tensors batch by batch (the whole train set as float32 would be 188 MB),
// with optional random shifts as light augmentation.
import * as tf from '@tensorflow/tfjs';
import type { MnistSet } from '../../../data/mnist/types.js';
import type { Random } from '../../../lib/random.js';

export interface BatchOptions {
  /** Shift each image by up to this many pixels in x and y (zeros fill in). Default 0. */
  maxShift?: number;
  rand?: Random;
}

/** Images `indices` of `set` as a [b, rows, cols, 1] tensor in [0, 1]. */
export function imageBatch(set: MnistSet, indices: ArrayLike<number>, opts: BatchOptions = {}): tf.Tensor4D {
  const { rows, cols } = set;
  const px = rows * cols;
  const out = new Float32Array(indices.length * px);
  const shift = opts.maxShift ?? 0;
  if (shift > 0 && !opts.rand) throw new Error('imageBatch: shifting needs a random generator');
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b]! * px;
    const dst = b * px;
    const dy = shift ? opts.rand!.int(-shift, shift) : 0;
    const dx = shift ? opts.rand!.int(-shift, shift) : 0;
    for (let r = 0; r < rows; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= rows) continue;
      for (let c = 0; c < cols; c++) {
        const sc = c - dx;
        if (sc >= 0 && sc < cols) out[dst + r * cols + c] = set.images[src + sr * cols + sc]! / 255;
      }
    }
  }
  return tf.tensor4d(out, [indices.length, rows, cols, 1]);
}

/** One-hot labels of `indices` as a [b, 10] tensor. */
export function labelBatch(set: MnistSet, indices: ArrayLike<number>, classes = 10): tf.Tensor2D {
  const out = new Float32Array(indices.length * classes);
  for (let b = 0; b < indices.length; b++) out[b * classes + set.labels[indices[b]!]!] = 1;
  return tf.tensor2d(out, [indices.length, classes]);
}

/** [start, end) ranges that cover 0..n-1 in steps of `size`. */
export function* batchRanges(n: number, size: number): Generator<[number, number]> {
  for (let s = 0; s < n; s += size) yield [s, Math.min(n, s + size)];
}

/** The indices start..end-1, for evaluating a set in order. */
export function rangeIndices(start: number, end: number): Int32Array {
  const idx = new Int32Array(end - start);
  for (let i = 0; i < idx.length; i++) idx[i] = start + i;
  return idx;
}
