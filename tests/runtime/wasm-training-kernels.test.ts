// Registration of the WASM training kernels, the cpu bridge, and the replaced data-movement
// kernels (slices), checked against the cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, registeredWasmTrainingKernels } from '../../models/runtime/wasm-training/index.js';

let first: string[] = [];

beforeAll(async () => {
  await tf.setBackend('wasm');
  first = registerWasmTrainingKernels();
});

async function onBoth(f: () => tf.Tensor[]): Promise<[number[][], number[][]]> {
  const run = async (b: string) => {
    await tf.setBackend(b);
    const before = tf.memory().numTensors;
    const outs = tf.tidy(f);
    const vals = outs.map((t) => Array.from(t.dataSync() as ArrayLike<number>));
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
    return vals;
  };
  return [await run('cpu'), await run('wasm')];
}

function expectClose(a: number[][], b: number[][], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    const scale = Math.max(1e-12, ...b[i]!.map(Math.abs));
    const diff = Math.max(0, ...v.map((x, j) => Math.abs(x - b[i]![j]!)));
    expect(diff / scale, `output ${i}`).toBeLessThan(tol);
  });
}

describe('registerWasmTrainingKernels', () => {
  it('registers the dedicated kernels and bridges every other kernel wasm lacks', () => {
    for (const name of [
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'BatchMatMul',
      '_FusedMatMul',
      'MaxPoolGrad',
      'UnsortedSegmentSum',
      'OneHot',
      'Slice',
      'Unpack',
      'SplitV',
      'StridedSlice',
      'Tile',
      'Identity',
      'Conv2D',
      'FusedConv2D',
      'DepthwiseConv2dNative',
      'FusedDepthwiseConv2D',
    ]) {
      expect(first).toContain(name);
    }
    const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const missing = tf
      .getKernelsForBackend('cpu')
      .map((k) => k.kernelName)
      .filter((n) => !wasm.has(n));
    // Only complex-number kernels and canvas drawing stay cpu-only.
    expect(missing.sort()).toEqual(['Complex', 'ComplexAbs', 'Draw', 'FFT', 'IFFT', 'Imag', 'Real']);
  });

  it('is idempotent', () => {
    const kernelsBefore = tf.getKernelsForBackend('wasm').map((k) => k.kernelFunc);
    expect(registerWasmTrainingKernels()).toEqual(first);
    expect(tf.getKernelsForBackend('wasm').map((k) => k.kernelFunc)).toEqual(kernelsBefore);
    expect(registeredWasmTrainingKernels()).toEqual(first);
  });
});

describe('cpu bridge', () => {
  it('runs cpu-only kernels on wasm tensors (einsum, depthwise conv gradients)', async () => {
    const [cpu, wasm] = await onBoth(() => {
      const a = tf.randomNormal([3, 4], 0, 1, 'float32', 1);
      const b = tf.randomNormal([4, 5], 0, 1, 'float32', 2);
      const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 3);
      const w = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 4);
      return [
        tf.einsum('ij,jk->ik', a, b),
        ...tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf
            .depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')
            .square()
            .sum(),
        )([x, w]),
      ];
    });
    expectClose(wasm, cpu, 1e-4);
  });

  it('returns multiple outputs and int32 results', async () => {
    const [cpu, wasm] = await onBoth(() => {
      const [nested, dense] = tf
        .engine()
        .runKernel('RaggedRange', { starts: tf.tensor1d([0, 5], 'int32'), limits: tf.tensor1d([3, 8], 'int32'), deltas: tf.tensor1d([1, 1], 'int32') }, {}) as tf.Tensor[];
      return [nested!, dense!];
    });
    expect(wasm).toEqual(cpu);
  });

  it('carries string tensors across', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const t = tf.tensor(['abc', 'cbb']);
    const r = tf.string.staticRegexReplace(t, 'b', 'x');
    expect(r.arraySync()).toEqual(['axc', 'cxx']);
    tf.dispose([t, r]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('slice-family kernels read the heap in place', () => {
  it('match the cpu backend for slices, unstack, split and strided slices', async () => {
    const [cpu, wasm] = await onBoth(() => {
      const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 5);
      return [
        tf.slice(x, [1, 0, 2, 0], [2, 4, 2, 6]),
        tf.slice(x, [0, 1, 0, 0], [3, 2, 5, 6]),
        tf.slice(x, [2, 3, 4, 5], [1, 1, 1, 1]),
        tf.slice(x.reshape([60, 6]), [5, 2], [10, 3]),
        ...tf.unstack(x, 1),
        ...tf.unstack(x, 3),
        ...tf.split(x, [2, 4], 3),
        ...tf.split(x, 3, 0),
        tf.stridedSlice(x, [1, 1], [3, 3]),
        tf.stridedSlice(x, [0, 0, 0, 1], [3, 4, 5, 6], [1, 1, 2, 2]),
        tf.slice(tf.tensor1d([1, 2, 3, 4], 'int32'), [1], [2]),
        tf.unstack(
          tf.tensor2d(
            [
              [true, false],
              [false, true],
            ],
            undefined,
            'bool',
          ),
          1,
        )[1]!,
      ];
    });
    expect(wasm).toEqual(cpu);
  });
});

describe('tile and identity', () => {
  it('tile matches the cpu backend for every rank and dtype', async () => {
    const [cpu, wasm] = await onBoth(() => {
      const x = tf.randomNormal([2, 1, 3], 0, 1, 'float32', 6);
      return [
        tf.tile(x, [2, 4, 1]),
        tf.tile(x, [1, 1, 3]),
        tf.tile(x.reshape([1, 1, 1, 6]), [3, 4, 5, 1]),
        tf.tile(tf.tensor1d([1, 2, 3], 'int32'), [3]),
        tf.tile(tf.tensor2d([[true], [false]], undefined, 'bool'), [2, 3]),
        tf.tile(tf.scalar(4).reshape([1]), [5]),
      ];
    });
    expect(wasm).toEqual(cpu);
  });

  it('identity shares the buffer safely: disposing one side keeps the other', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const y = x.clone();
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("'same' padding with stride > kernel", () => {
  it('forward convolutions match the cpu backend where wasm 4.22 returned zeros', async () => {
    const [cpu, wasm] = await onBoth(() => {
      const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      const w = (kh: number, kw: number) => tf.randomNormal([kh, kw, 3, 2], 0, 1, 'float32', 8) as tf.Tensor4D;
      return [
        tf.conv2d(x, w(1, 2), [1, 3], 'same'),
        tf.conv2d(x, w(2, 2), 3, 'same'),
        tf.conv2d(x, w(1, 1), 2, 'same'), // 1x1 stride-2 shortcut on an even size
        tf.fused.conv2d({ x, filter: w(1, 3), strides: [2, 1], pad: 'same', bias: tf.ones([2]), activation: 'relu' }),
        tf.depthwiseConv2d(x, w(2, 1), 2, 'same'),
        tf.fused.depthwiseConv2d({ x, filter: w(2, 2), strides: 3, pad: 'same', bias: tf.ones([6]) }),
      ];
    });
    expectClose(wasm, cpu, 1e-5);
  });
});
