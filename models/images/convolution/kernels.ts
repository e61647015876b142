// Named 3x3 kernels of the playground. Weights are integers with an optional divisor applied
// once at the end (box blur = ones / 9), so integer images give exact results.
//
// Sign conventions (we compute cross-correlation, as CNN layers do: the kernel is NOT turned
// before it slides; pass mode 'convolution' to turn it by 180 degrees first):
// - sobel-x  [[-1,0,1],[-2,0,2],[-1,0,1]]: positive where intensity rises to the right.
// - sobel-y  [[-1,-2,-1],[0,0,0],[1,2,1]]: positive where intensity rises downwards.
// - laplacian-4 / laplacian-8: the discrete Laplacian with a NEGATIVE centre, exactly as the
//   issue gives them. A bright dot or line on a dark background answers negatively, the dark
//   side of an edge positively; on flat areas and linear ramps the answer is 0. (Photo editors
//   often show the negated, centre-positive kernel so that bright outlines come out bright.)
// - edge-diagonal [[1,0,-1],[0,0,0],[-1,0,1]]: a product of the two diagonal differences; it
//   answers to diagonal (saddle-like) structure and gives 0 on horizontal/vertical ramps.
// All named kernels are symmetric under a 180-degree turn except sobel-x / sobel-y, whose sign
// flips under true convolution.
import type { Matrix } from './matrix.js';

export interface NamedKernel {
  name: string;
  description: string;
  weights: Matrix;
  /** Every weighted sum is divided by this (exactly once); 1 when absent. */
  divisor?: number;
}

export const KERNELS: Readonly<Record<string, NamedKernel>> = Object.fromEntries(
  (
    [
      {
        name: 'identity',
        description: 'returns the image unchanged (with valid padding: its interior)',
        weights: [
          [0, 0, 0],
          [0, 1, 0],
          [0, 0, 0],
        ],
      },
      {
        name: 'laplacian-4',
        description: '4-neighbour Laplacian, negative centre: bright spots/lines on dark give negative values, flat areas 0',
        weights: [
          [0, 1, 0],
          [1, -4, 1],
          [0, 1, 0],
        ],
      },
      {
        name: 'laplacian-8',
        description: '8-neighbour Laplacian (diagonals too), negative centre: same signs as laplacian-4, stronger on corners',
        weights: [
          [1, 1, 1],
          [1, -8, 1],
          [1, 1, 1],
        ],
      },
      {
        name: 'edge-diagonal',
        description: 'diagonal edge detector (product of the two diagonal differences)',
        weights: [
          [1, 0, -1],
          [0, 0, 0],
          [-1, 0, 1],
        ],
      },
      {
        name: 'sharpen',
        description: 'identity plus the negated 4-neighbour Laplacian: boosts local contrast',
        weights: [
          [0, -1, 0],
          [-1, 5, -1],
          [0, -1, 0],
        ],
      },
      {
        name: 'box-blur',
        description: 'normalized box blur: the mean of the 3x3 neighbourhood',
        weights: [
          [1, 1, 1],
          [1, 1, 1],
          [1, 1, 1],
        ],
        divisor: 9,
      },
      {
        name: 'gaussian-blur',
        description: '3x3 binomial approximation of a Gaussian blur',
        weights: [
          [1, 2, 1],
          [2, 4, 2],
          [1, 2, 1],
        ],
        divisor: 16,
      },
      {
        name: 'sobel-x',
        description: 'horizontal gradient: positive where intensity rises to the right (vertical edges)',
        weights: [
          [-1, 0, 1],
          [-2, 0, 2],
          [-1, 0, 1],
        ],
      },
      {
        name: 'sobel-y',
        description: 'vertical gradient: positive where intensity rises downwards (horizontal edges)',
        weights: [
          [-1, -2, -1],
          [0, 0, 0],
          [1, 2, 1],
        ],
      },
    ] satisfies NamedKernel[]
  ).map((k) => [k.name, k]),
);

export function kernelNames(): string[] {
  return Object.keys(KERNELS);
}

export class UnknownKernelError extends Error {
  constructor(name: string) {
    super(`unknown kernel '${name}': choose one of ${kernelNames().join(', ')} or give a matrix`);
    this.name = 'UnknownKernelError';
  }
}

export function namedKernel(name: string): NamedKernel {
  const k = Object.hasOwn(KERNELS, name) ? KERNELS[name] : undefined;
  if (!k) throw new UnknownKernelError(name);
  return k;
}
