import { describe, expect, it } from 'vitest';
import { convolve2d } from '../../models/images/convolution/convolve.js';
import { WORKED_EXAMPLES } from '../../models/images/convolution/examples.js';
import { KERNELS, namedKernel, UnknownKernelError } from '../../models/images/convolution/kernels.js';
import { MatrixError } from '../../models/images/convolution/matrix.js';
import { outputSize, WindowSizeError } from '../../models/images/convolution/output-size.js';
import { pool2d } from '../../models/images/convolution/pool.js';

const example = (name: string) => WORKED_EXAMPLES.find((e) => e.name === name)!;

describe('worked examples', () => {
  it('8x8 image with Sobel-x gives 5 at the top-left (and hand-checked entries elsewhere)', () => {
    const ex = example('sobel-x-8x8');
    const out = convolve2d(ex.image, ex.kernel);
    expect(out.length).toBe(6);
    expect(out[0]!.length).toBe(6);
    expect(out[0]![0]).toBe(5);
    // row 0, col 1: window rows [0,0,1],[1,2,4],[0,1,3] -> (1-0) + 2*(4-1) + (3-0) = 10
    expect(out[0]![1]).toBe(10);
    // bottom-right: rows 5..7, cols 5..7 = [3,1,0],[2,0,0],[1,0,0] -> (0-3) + 2*(0-2) + (0-1) = -8
    expect(out[5]![5]).toBe(-8);
  });

  it('5x5 binary image with the X kernel gives [[4,3,4],[2,4,3],[2,3,4]]', () => {
    const ex = example('binary-5x5');
    expect(convolve2d(ex.image, ex.kernel)).toEqual([
      [4, 3, 4],
      [2, 4, 3],
      [2, 3, 4],
    ]);
    expect(ex.expected).toEqual(convolve2d(ex.image, ex.kernel));
  });

  it('every example meets its documented top-left value', () => {
    for (const ex of WORKED_EXAMPLES) {
      expect(convolve2d(ex.image, ex.kernel, { stride: ex.stride, padding: ex.padding })[0]![0]).toBe(ex.topLeft);
    }
  });
});

describe('convolve2d', () => {
  const img = [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
    [13, 14, 15, 16],
  ];

  it('identity with padding 1 returns the image', () => {
    expect(convolve2d(img, namedKernel('identity').weights, { padding: 1 })).toEqual(img);
  });

  it('applies stride and zero padding', () => {
    // padding 1, stride 2 on 4x4 with a 3x3 ones kernel: (4 + 2 - 3)/2 + 1 = 2.5 -> error
    expect(() =>
      convolve2d(
        img,
        [
          [1, 1, 1],
          [1, 1, 1],
          [1, 1, 1],
        ],
        { padding: 1, stride: 2 },
      ),
    ).toThrow(WindowSizeError);
    // 2x2 ones kernel, stride 2, no padding: sums of 2x2 blocks
    expect(
      convolve2d(
        img,
        [
          [1, 1],
          [1, 1],
        ],
        { stride: 2 },
      ),
    ).toEqual([
      [14, 22],
      [46, 54],
    ]);
    // top-left with padding 1 sees only img[0..1][0..1]
    expect(
      convolve2d(
        img,
        [
          [1, 1, 1],
          [1, 1, 1],
          [1, 1, 1],
        ],
        { padding: 1 },
      )[0]![0],
    ).toBe(1 + 2 + 5 + 6);
  });

  it('box blur divides exactly once: a flat image stays flat', () => {
    const flat = Array.from({ length: 5 }, () => new Array(5).fill(7));
    const k = namedKernel('box-blur');
    const out = convolve2d(flat, k.weights, { divisor: k.divisor });
    expect(out.flat().every((v) => v === 7)).toBe(true);
    expect(
      convolve2d(
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 10],
        ],
        k.weights,
        { divisor: k.divisor },
      ),
    ).toEqual([[46 / 9]]);
  });

  it('laplacians are 0 on flat areas and ramps and negative on a bright dot (documented sign)', () => {
    const ramp = Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => 3 * r + 2 * c));
    const dot = [
      [0, 0, 0],
      [0, 9, 0],
      [0, 0, 0],
    ];
    for (const name of ['laplacian-4', 'laplacian-8']) {
      const k = namedKernel(name).weights;
      expect(
        convolve2d(ramp, k)
          .flat()
          .every((v) => v === 0),
      ).toBe(true);
      expect(convolve2d(dot, k)[0]![0]).toBeLessThan(0);
    }
    expect(convolve2d(dot, namedKernel('laplacian-4').weights)).toEqual([[-36]]);
    expect(convolve2d(dot, namedKernel('laplacian-8').weights)).toEqual([[-72]]);
  });

  it('sobel signs: x positive for intensity rising right, y positive for rising down', () => {
    const right = [
      [0, 5, 10],
      [0, 5, 10],
      [0, 5, 10],
    ];
    const down = [
      [0, 0, 0],
      [5, 5, 5],
      [10, 10, 10],
    ];
    expect(convolve2d(right, namedKernel('sobel-x').weights)).toEqual([[40]]);
    expect(convolve2d(right, namedKernel('sobel-y').weights)).toEqual([[0]]);
    expect(convolve2d(down, namedKernel('sobel-y').weights)).toEqual([[40]]);
    // true convolution turns the kernel: the sign flips for the antisymmetric Sobel kernels
    expect(convolve2d(right, namedKernel('sobel-x').weights, { mode: 'convolution' })).toEqual([[-40]]);
  });

  it('edge-diagonal answers to a saddle, not to straight ramps', () => {
    const k = namedKernel('edge-diagonal').weights;
    expect(
      convolve2d(
        [
          [0, 1, 2],
          [0, 1, 2],
          [0, 1, 2],
        ],
        k,
      ),
    ).toEqual([[0]]);
    expect(
      convolve2d(
        [
          [1, 0, 0],
          [0, 0, 0],
          [0, 0, 1],
        ],
        k,
      ),
    ).toEqual([[2]]);
  });

  it('rejects ragged or non-numeric matrices and unknown kernels', () => {
    expect(() => convolve2d([[1, 2], [3]], [[1]])).toThrow(MatrixError);
    expect(() => convolve2d([[1, Number.NaN]], [[1]])).toThrow(/finite/);
    expect(() => convolve2d([], [[1]])).toThrow(MatrixError);
    expect(() => namedKernel('nope')).toThrow(UnknownKernelError);
    expect(() => namedKernel('constructor')).toThrow(UnknownKernelError);
  });

  it('lists every kernel of the spec', () => {
    for (const n of ['identity', 'laplacian-4', 'laplacian-8', 'edge-diagonal', 'sharpen', 'box-blur', 'sobel-x', 'sobel-y']) {
      expect(KERNELS[n]).toBeDefined();
    }
    expect(KERNELS['laplacian-4']!.weights).toEqual([
      [0, 1, 0],
      [1, -4, 1],
      [0, 1, 0],
    ]);
    expect(KERNELS['laplacian-8']!.weights).toEqual([
      [1, 1, 1],
      [1, -8, 1],
      [1, 1, 1],
    ]);
    expect(KERNELS['edge-diagonal']!.weights).toEqual([
      [1, 0, -1],
      [0, 0, 0],
      [-1, 0, 1],
    ]);
  });
});

describe('outputSize', () => {
  it('computes (n + 2p - k)/s + 1', () => {
    expect(outputSize({ n: 28, k: 5, s: 1, p: 2 })).toBe(28);
    expect(outputSize({ n: 7, k: 3, s: 2, p: 0 })).toBe(3);
    expect(outputSize({ n: 8, k: 3, s: 1, p: 0 })).toBe(6);
  });

  it('explains a non-integer result', () => {
    expect(() => outputSize({ n: 6, k: 3, s: 2, p: 0 })).toThrow(/\(6 \+ 2\*0 - 3\)\/2 \+ 1 = 2\.500 is not a whole number/);
    expect(() => outputSize({ n: 2, k: 5, s: 1, p: 1 })).toThrow(/larger than the padded input/);
    expect(() => outputSize({ n: 5, k: 3, s: 0, p: 0 })).toThrow(/stride must be a whole number >= 1/);
  });
});

describe('pool2d', () => {
  const img = [
    [1, 3, 2, 0],
    [4, 6, 5, 7],
    [8, 1, 0, 2],
    [3, 5, 9, 4],
  ];

  it('max and average pooling 2x2 stride 2', () => {
    expect(pool2d(img, { mode: 'max' })).toEqual([
      [6, 7],
      [8, 9],
    ]);
    expect(pool2d(img, { mode: 'avg' })).toEqual([
      [14 / 4, 14 / 4],
      [17 / 4, 15 / 4],
    ]);
  });

  it('padding cells are ignored, not zeros', () => {
    const neg = [
      [-1, -2],
      [-3, -4],
    ];
    // 3x3 window, padding 1, stride 1 -> 2x2; max of real cells only (a zero pad would win)
    expect(pool2d(neg, { mode: 'max', size: 3, stride: 1, padding: 1 })).toEqual([
      [-1, -1],
      [-1, -1],
    ]);
    expect(pool2d(neg, { mode: 'avg', size: 3, stride: 1, padding: 1 })[0]![0]).toBe(-10 / 4);
    expect(() => pool2d(neg, { mode: 'max', size: 2, padding: 2 })).toThrow(/smaller than the pooling window/);
  });
});
