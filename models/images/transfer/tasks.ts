// The new tasks the CNN's features are transferred to: the same ten digits, seen differently.
import type { MnistSet } from '../../../data/mnist/types.js';
import type { Random } from '../../../lib/random.js';

export const TRANSFER_TASKS = ['rotate180', 'invert'] as const;
export type TransferTask = (typeof TRANSFER_TASKS)[number];

/** A copy of `set` with every image transformed: turned upside down, or black-on-white. */
export function transformSet(set: MnistSet, task: TransferTask): MnistSet {
  const px = set.rows * set.cols;
  const images = new Uint8Array(set.images.length);
  for (let i = 0; i < set.count; i++) {
    const src = set.images.subarray(i * px, (i + 1) * px);
    const dst = images.subarray(i * px, (i + 1) * px);
    if (task === 'rotate180') for (let p = 0; p < px; p++) dst[p] = src[px - 1 - p]!;
    else for (let p = 0; p < px; p++) dst[p] = 255 - src[p]!;
  }
  return { ...set, images, labels: set.labels.slice() };
}

/** `shots` random examples of each digit (the few labelled examples of the new task). */
export function fewShotIndices(set: MnistSet, shots: number, rand: Random): number[] {
  const byLabel: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < set.count; i++) byLabel[set.labels[i]!]!.push(i);
  const out: number[] = [];
  byLabel.forEach((idx, d) => {
    if (idx.length < shots) throw new Error(`only ${idx.length} examples of digit ${d}; need ${shots}`);
    for (let k = 0; k < shots; k++) {
      const j = k + rand.below(idx.length - k); // partial Fisher-Yates
      [idx[k], idx[j]] = [idx[j]!, idx[k]!];
      out.push(idx[k]!);
    }
  });
  return out;
}
