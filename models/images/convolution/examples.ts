// Worked examples of the playground, served by the API and checked by the tests.
import type { Matrix } from './matrix.js';

export interface WorkedExample {
  name: string;
  description: string;
  image: Matrix;
  kernel: Matrix;
  stride: number;
  padding: number;
  /** What the top-left output must be (worked out by hand in the description). */
  topLeft: number;
  /** The whole expected output, where it is known by hand. */
  expected?: Matrix;
}

export const WORKED_EXAMPLES: readonly WorkedExample[] = [
  {
    name: 'sobel-x-8x8',
    description:
      'A constructed 8x8 image of a soft bright stroke (intensities 0-7) filtered with the Sobel-x kernel ' +
      '[[-1,0,1],[-2,0,2],[-1,0,1]], stride 1, no padding (6x6 output). The top-left 3x3 window is ' +
      '[[0,0,0],[0,1,2],[0,0,1]]: (0-0)*1 + (2-0)*2 + (1-0)*1 = 5. Positive outputs mark intensity rising to the right.',
    image: [
      [0, 0, 0, 1, 3, 5, 3, 1],
      [0, 1, 2, 4, 6, 7, 4, 2],
      [0, 0, 1, 3, 5, 6, 3, 1],
      [0, 0, 0, 2, 4, 5, 2, 0],
      [0, 0, 0, 1, 3, 4, 1, 0],
      [0, 0, 0, 1, 2, 3, 1, 0],
      [0, 0, 0, 0, 1, 2, 0, 0],
      [0, 0, 0, 0, 0, 1, 0, 0],
    ],
    kernel: [
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ],
    stride: 1,
    padding: 0,
    topLeft: 5,
  },
  {
    name: 'binary-5x5',
    description:
      'The classic 5x5 binary image with the X-shaped kernel [[1,0,1],[0,1,0],[1,0,1]], stride 1, no padding: ' + "each output counts the ones under the kernel's five taps; top-left = 1+1+1+0+1 = 4.",
    image: [
      [1, 1, 1, 0, 0],
      [0, 1, 1, 1, 0],
      [0, 0, 1, 1, 1],
      [0, 0, 1, 1, 0],
      [0, 1, 1, 0, 0],
    ],
    kernel: [
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ],
    stride: 1,
    padding: 0,
    topLeft: 4,
    expected: [
      [4, 3, 4],
      [2, 4, 3],
      [2, 3, 4],
    ],
  },
];
