// Gradients on the WASM backend (with our training kernels) must equal the cpu backend's: each
// case runs the same seeded computation on 'cpu', then on 'wasm', and compares every output.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../models/runtime/wasm-training/index.js';

const TOL = 1e-4;

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

type Values = ReturnType<tf.Tensor['dataSync']>;

/** max |a - b| / max |b|: scale-free, and strict where values are small. */
function relError(a: Values, b: Values): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(Number(a[i]) - Number(b[i])));
    scale = Math.max(scale, Math.abs(Number(b[i])));
  }
  return diff / (scale || 1);
}

async function runOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<{ values: Values[]; shapes: number[][] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(f);
  const result = { values: outs.map((t) => t.dataSync()), shapes: outs.map((t) => t.shape) };
  tf.dispose(outs);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return result;
}

/** Runs `f` on cpu and on wasm; every output must match. */
async function expectSameOnBothBackends(f: () => tf.Tensor[], tol = TOL): Promise<void> {
  const cpu = await runOn('cpu', f);
  const wasm = await runOn('wasm', f);
  expect(wasm.shapes).toEqual(cpu.shapes);
  expect(cpu.values.length).toBeGreaterThan(0);
  cpu.values.forEach((v, i) => expect(relError(wasm.values[i]!, v), `output ${i}`).toBeLessThan(tol));
}

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const gradsOf = (f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]) => tf.grads(f)(xs);

/** Gradients of a scalar loss w.r.t. a layers model's weights, plus the loss itself. */
function modelGrads(model: tf.LayersModel, loss: () => tf.Scalar): tf.Tensor[] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(loss, vars);
  return [value, ...vars.map((v) => grads[v.name]!)];
}

describe('WASM gradients equal the cpu backend', () => {
  it('conv1d (strides 1 and 2, same and valid)', async () => {
    for (const [stride, pad] of [
      [1, 'same'],
      [2, 'same'],
      [1, 'valid'],
      [2, 'valid'],
    ] as const) {
      await expectSameOnBothBackends(() =>
        gradsOf(
          (x, w) =>
            tf
              .conv1d(x as tf.Tensor3D, w as tf.Tensor3D, stride, pad)
              .square()
              .sum(),
          [rnd([3, 21, 4], 1), rnd([5, 4, 6], 2)],
        ),
      );
    }
  });

  it('conv2d (strides 1, 2, 3; same, valid, explicit padding)', async () => {
    const cases: [number, 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]], number][] = [
      [1, 'same', 3],
      [2, 'same', 3],
      [1, 'valid', 5],
      [2, 'valid', 3],
      [2, 'same', 5],
      [3, 'valid', 4],
      [
        2,
        [
          [0, 0],
          [1, 2],
          [0, 1],
          [0, 0],
        ],
        3,
      ],
      [2, 'same', 1], // stride larger than the kernel
      [3, 'same', 2], // even kernel: asymmetric 'same' padding
      [1, 'same', 4],
    ];
    for (const [stride, pad, k] of cases) {
      await expectSameOnBothBackends(() =>
        gradsOf(
          (x, w) =>
            tf
              .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)
              .square()
              .sum(),
          [rnd([2, 9, 10, 3], 3), rnd([k, k, 3, 5], 4)],
        ),
      );
    }
  });

  it('conv2d in NCHW layout (backprop kernels transpose internally)', async () => {
    // The cpu conv2d forward has no NCHW; compare the backprop kernels directly.
    await expectSameOnBothBackends(() => {
      const x = rnd([2, 3, 8, 8], 5) as tf.Tensor4D;
      const dy = rnd([2, 4, 4, 4], 6) as tf.Tensor4D;
      const w = rnd([3, 3, 3, 4], 7) as tf.Tensor4D;
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] }) as tf.Tensor;
      const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 8, 8] }) as tf.Tensor;
      const explicit = [
        [0, 0],
        [0, 0],
        [1, 0],
        [0, 1],
      ]; // NCHW order: H and W at axes 2 and 3
      const dw2 = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 2, pad: explicit, dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] }) as tf.Tensor;
      const dx2 = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { strides: 2, pad: explicit, dataFormat: 'NCHW', inputShape: [2, 3, 8, 8] }) as tf.Tensor;
      return [dw, dx, dw2, dx2];
    });
  });

  it('conv2dTranspose (strides 1 and 2): forward and gradients', async () => {
    for (const [stride, pad, k, h] of [
      [1, 'same', 3, 6],
      [2, 'same', 3, 5],
      [2, 'valid', 3, 5],
      [2, 'same', 5, 4],
      [1, 'valid', 4, 5],
      [2, 'same', 4, 3],
      [3, 'valid', 2, 4],
      [2, 'valid', 1, 4],
    ] as const) {
      const outH = pad === 'same' ? h * stride : (h - 1) * stride + k;
      await expectSameOnBothBackends(() => {
        const x = rnd([2, h, h, 4], 8);
        const w = rnd([k, k, 3, 4], 9);
        const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, outH, outH, 3], stride, pad);
        return [f(x, w), ...gradsOf((x, w) => f(x, w).square().sum(), [x, w])];
      });
    }
  });

  it('pooling: max and avg, including all-negative windows and overlapping windows', async () => {
    await expectSameOnBothBackends(() => {
      const x = rnd([2, 7, 7, 3], 10);
      const neg = x.abs().neg(); // wasm 4.22's own MaxPoolGrad loses these gradients
      const weight = rnd([2, 4, 4, 3], 11);
      return [
        ...gradsOf(
          (x) =>
            tf
              .maxPool(x as tf.Tensor4D, 2, 2, 'same')
              .mul(weight)
              .sum(),
          [x],
        ),
        ...gradsOf(
          (x) =>
            tf
              .maxPool(x as tf.Tensor4D, 2, 2, 'same')
              .mul(weight)
              .sum(),
          [neg],
        ),
        ...gradsOf(
          (x) =>
            tf
              .maxPool(x as tf.Tensor4D, 3, 1, 'same')
              .square()
              .sum(),
          [neg],
        ),
        ...gradsOf(
          (x) =>
            tf
              .maxPool(x as tf.Tensor4D, 3, 2, 'valid')
              .square()
              .sum(),
          [x],
        ),
        ...gradsOf(
          (x) =>
            tf
              .avgPool(x as tf.Tensor4D, 2, 2, 'valid')
              .square()
              .sum(),
          [x],
        ),
        ...gradsOf(
          (x) =>
            tf
              .avgPool(x as tf.Tensor4D, 3, 2, 'same')
              .square()
              .sum(),
          [x],
        ),
        ...gradsOf(
          (x) =>
            tf
              .maxPool(x.reshape([2, 1, 49, 3]) as tf.Tensor4D, [1, 2], [1, 2], 'valid')
              .square()
              .sum(),
          [x],
        ),
      ];
    });
  });

  it('batch normalization (batch statistics, scale and offset)', async () => {
    await expectSameOnBothBackends(() =>
      gradsOf(
        (x, scale, offset) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          return tf
            .batchNorm(x, mean, variance, offset, scale, 1e-3)
            .mul(rnd([4, 5, 5, 6], 13))
            .sum();
        },
        [rnd([4, 5, 5, 6], 12), rnd([6], 14), rnd([6], 15)],
      ),
    );
  });

  it('dropout (rate 0, and a seeded mask)', async () => {
    await expectSameOnBothBackends(() => [
      ...gradsOf((x) => tf.dropout(x, 0).square().sum(), [rnd([8, 10], 16)]),
      ...gradsOf((x) => tf.dropout(x, 0.4, undefined, 42).square().sum(), [rnd([8, 10], 17)]),
    ]);
  });

  it('dense layers (fused bias + relu, transposed products)', async () => {
    await expectSameOnBothBackends(() => {
      const a = rnd([8, 5], 18);
      const b = rnd([5, 3], 19);
      const bias = rnd([3], 20);
      return [
        ...gradsOf(
          (a, b, c) =>
            tf.fused
              .matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu' })
              .square()
              .sum(),
          [a, b, bias],
        ),
        tf.matMul(a, rnd([3, 8], 21), true, true),
        tf.matMul(rnd([4, 6, 5], 22), rnd([5, 7], 23)), // batch folded into rows
        tf.matMul(rnd([3, 6, 5], 24), rnd([3, 7, 5], 25), false, true), // real batch, small
        tf.matMul(rnd([2, 128, 96], 26), rnd([2, 128, 96], 27), true, false), // real batch, split
      ];
    });
  });

  it('embedding (gather gradient = UnsortedSegmentSum) and oneHot', async () => {
    await expectSameOnBothBackends(() => {
      const idx = tf.tensor2d(
        [
          [1, 2, 2, 7],
          [9, 0, 1, 1],
        ],
        undefined,
        'int32',
      );
      return [
        ...gradsOf((e) => tf.gather(e, idx).square().sum(), [rnd([10, 4], 28)]),
        tf.unsortedSegmentSum(rnd([6, 3], 29), tf.tensor1d([2, 0, 2, 4, 4, 4], 'int32'), 5),
        tf.oneHot(tf.tensor1d([0, 3, 1, 5], 'int32'), 4),
        tf.oneHot(tf.tensor1d([0, 3, 1], 'int32'), 4, 2, -1, 'float32'),
      ];
    });
  });

  it('layers model: embedding -> LSTM -> dense, and a conv/pool/dropout/batchnorm stack', async () => {
    await tf.setBackend('cpu');
    const lm = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 12, outputDim: 5, inputLength: 6 }), tf.layers.lstm({ units: 8, returnSequences: true }), tf.layers.dense({ units: 12, activation: 'softmax' })],
    });
    const cnn = tf.sequential({
      layers: [
        tf.layers.conv1d({ inputShape: [16, 3], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling1d({ poolSize: 2 }),
        tf.layers.dropout({ rate: 0 }),
        tf.layers.globalAveragePooling1d(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    // Weights are created once (on cpu); the engine moves them to wasm when it switches.
    await expectSameOnBothBackends(() => {
      const tokens = tf.tensor2d([
        [1, 4, 2, 11, 0, 3],
        [5, 5, 6, 7, 8, 9],
      ]);
      const targets = tf.oneHot(
        tf.tensor2d(
          [
            [4, 2, 11, 0, 3, 1],
            [5, 6, 7, 8, 9, 10],
          ],
          undefined,
          'int32',
        ),
        12,
      );
      const x = rnd([4, 16, 3], 30);
      const y = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
      return [
        ...modelGrads(lm, () => tf.losses.softmaxCrossEntropy(targets, lm.apply(tokens, { training: true }) as tf.Tensor) as tf.Scalar),
        ...modelGrads(cnn, () => tf.metrics.categoricalCrossentropy(y, cnn.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar),
      ];
    });
    lm.dispose();
    cnn.dispose();
  });

  it('custom loss through tf.variableGrads and optimizer.minimize', async () => {
    await tf.setBackend('cpu');
    const w = tf.variable(rnd([3, 3, 2, 4], 31), true, 'wt_custom_w');
    const v = tf.variable(rnd([4, 2], 32), true, 'wt_custom_v');
    const x = rnd([2, 6, 6, 2], 33);
    const loss = () =>
      tf.tidy(() => {
        const h = tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')); // [2,3,3,4]
        const z = tf.matMul(h.reshape([-1, 4]), v); // [18, 2]
        return tf
          .log1p(tf.exp(z.sub(0.5)))
          .mean()
          .add(tf.abs(w).sum().mul(1e-3)) as tf.Scalar;
      });
    const start = [w.dataSync().slice(), v.dataSync().slice()] as const;
    const run = () => {
      w.assign(tf.tensor(start[0], w.shape));
      v.assign(tf.tensor(start[1], v.shape));
      const { value, grads } = tf.variableGrads(loss, [w, v]);
      const opt = tf.train.sgd(0.5);
      opt.minimize(loss, false, [w, v]);
      opt.dispose();
      return [value, grads[w.name]!, grads[v.name]!, w.clone(), v.clone()];
    };
    await expectSameOnBothBackends(run);
    tf.dispose([w, v, x]);
  });
});

describe('training on WASM', () => {
  it('a small conv model learns a synthetic task', async () => {
    await tf.setBackend('wasm');
    // Class = sign of the mean of channel 0: a conv + pool model learns it quickly.
    const x = rnd([64, 24, 2], 40);
    const y = tf.tidy(() => tf.oneHot(x.slice([0, 0, 0], [64, 24, 1]).mean([1, 2]).greater(0).toInt(), 2).toFloat());
    const model = tf.sequential({
      layers: [
        tf.layers.conv1d({ inputShape: [24, 2], filters: 8, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling1d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const history = await model.fit(x, y, { epochs: 12, batchSize: 16, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.6);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('keeps numTensors flat over repeated training steps (conv, LSTM, conv2dTranspose)', async () => {
    await tf.setBackend('wasm');
    const conv = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const lm = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 5 }), tf.layers.lstm({ units: 6 }), tf.layers.dense({ units: 9, activation: 'softmax' })],
    });
    conv.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    lm.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const cx = rnd([8, 8, 8, 1], 41);
    const cy = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat();
    const lx = tf.tensor2d([
      [1, 2, 3, 4, 5],
      [8, 7, 6, 5, 4],
    ]);
    const ly = tf.oneHot(tf.tensor1d([6, 3], 'int32'), 9).toFloat();
    const step = async () => {
      await conv.trainOnBatch(cx, cy);
      await lm.trainOnBatch(lx, ly);
    };
    await step(); // optimiser slots are created on the first step
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await step();
    expect(tf.memory().numTensors).toBe(before);
    conv.dispose();
    lm.dispose();
    tf.dispose([cx, cy, lx, ly]);
  });
});
