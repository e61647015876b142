// BatchMatMul and _FusedMatMul for the wasm backend. The shipped kernels reach XNNPACK only for
// untransposed operands with a batch of one; anything else runs a naive loop. Every dense/LSTM
// gradient multiplies by a transpose (dA = dy·Bᵀ, dB = Aᵀ·dy), so we transpose explicitly (a
// native copy), fold a shared batch into rows, and split a real batch into single products.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, callKernel, compose, originalWasmKernel, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

const batchSize = (s: readonly number[]) => s.slice(0, -2).reduce((p, d) => p * d, 1);

/** Multiply-adds per batch entry above which separate XNNPACK products beat the naive loop. */
const SPLIT_MIN_MACS = 1 << 20;

/**
 * a·b for untransposed operands through the original kernel, on its XNNPACK path (batch 1).
 * A batch on `a` alone becomes rows of one product; the fused inputs (bias, prelu weights)
 * apply along the last output axis, so they survive that. Returns [...batch, M, N].
 */
function untransposedProduct(original: KernelConfig, backend: tf.KernelBackend, attrs: tf.NamedAttrMap | undefined, a: tf.Tensor, b: tf.Tensor, extras: tf.NamedTensorInfoMap): tf.Tensor {
  const m = a.shape[a.rank - 2]!;
  const k = a.shape[a.rank - 1]!;
  const n = b.shape[b.rank - 1]!;
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const run = (a3: tf.Tensor, b3: tf.Tensor): tf.Tensor => {
    const info = callKernel(original, {
      inputs: { ...extras, a: a3, b: b3 },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    return tf.engine().makeTensorFromTensorInfo(info, backend);
  };
  const bBatch = batchSize(b.shape);
  if (bBatch === 1) return tf.reshape(run(tf.reshape(a, [1, batchSize(a.shape) * m, k]), tf.reshape(b, [1, k, n])), [...outBatch, m, n]);
  const a3 = tf.reshape(tf.broadcastTo(a, [...outBatch, m, k]), [-1, m, k]);
  const b3 = tf.reshape(tf.broadcastTo(b, [...outBatch, k, n]), [-1, k, n]);
  // A real batch of b: one XNNPACK product per entry beats the naive batched loop only when the
  // entries are big enough to pay for the per-call overhead (~0.5 ms: split, operator creation).
  if (m * k * n < SPLIT_MIN_MACS) return tf.reshape(run(a3, b3), [...outBatch, m, n]);
  const as = tf.split(a3, a3.shape[0]!, 0);
  const bs = tf.split(b3, b3.shape[0]!, 0);
  return tf.reshape(
    tf.concat(
      as.map((ai, i) => run(ai, bs[i]!)),
      0,
    ),
    [...outBatch, m, n],
  );
}

/**
 * Rewrites op(a)·op(b) into untransposed products. Two equivalent forms: transpose the operands
 * that need it, or compute the transposed product op(b)ᵀ·op(a)ᵀ and transpose that. We pick the
 * one that copies fewer elements, counting the right operand too, because XNNPACK repacks it
 * whenever it is a new tensor: for dh = dz·Rᵀ in an LSTM, transposing the small dz and the small
 * result beats copying and repacking the recurrent kernel R at every timestep.
 */
function fastProduct(original: KernelConfig, { inputs, backend, attrs }: KernelArgs, extraNames: readonly string[]): TensorInfo {
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const named: Record<string, TensorInfo> = { a: inputs.a!, b: inputs.b! };
  for (const k of extraNames) if (inputs[k] != null) named[k] = inputs[k];
  return compose(backend, named, (t) => {
    const a = t.a!;
    const b = t.b!;
    const extras: tf.NamedTensorInfoMap = {};
    for (const k of extraNames) if (t[k]) extras[k] = t[k];
    const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
    const m = a.shape[a.rank - (transposeA ? 1 : 2)]!;
    const n = b.shape[b.rank - (transposeB ? 2 : 1)]!;
    const outSize = size(tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))) * m * n;
    const direct = (transposeA ? a.size : 0) + (transposeB ? b.size : 0) + b.size;
    const flipped = (transposeB ? 0 : b.size) + (transposeA ? 0 : a.size) + a.size + outSize;
    // Bias and prelu weights follow the output's last axis, so they rule out the flipped form.
    if (Object.keys(extras).length === 0 && flipped < direct) {
      const left = transposeB ? b : swapLastTwo(b);
      const right = transposeA ? a : swapLastTwo(a);
      return swapLastTwo(untransposedProduct(original, backend, attrs, left, right, extras));
    }
    const left = transposeA ? swapLastTwo(a) : a;
    const right = transposeB ? swapLastTwo(b) : b;
    return untransposedProduct(original, backend, attrs, left, right, extras);
  });
}

function needsRewrite(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): boolean {
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const a = inputs.a!;
  const b = inputs.b!;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return false; // let the original report it
  // Prelu weights may vary along the batch or rows; leave those rare products to the original.
  const prelu = inputs.preluActivationWeights;
  if (prelu != null && prelu.shape.length > 1) return false;
  return transposeA || transposeB || batchSize(a.shape) > 1 || batchSize(b.shape) > 1;
}

function makeConfig(name: string, extraNames: readonly string[]): KernelConfig | undefined {
  const original = originalWasmKernel(name);
  if (!original) return undefined;
  const kernelFunc = (args: KernelArgs) => (needsRewrite(args.inputs, args.attrs) ? fastProduct(original, args, extraNames) : callKernel(original, args));
  return {
    kernelName: name,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: asKernelFunc(kernelFunc),
  };
}

/** Fast BatchMatMul, or undefined when tfjs-backend-wasm is not loaded. */
export function batchMatMulConfig(): KernelConfig | undefined {
  return makeConfig(tf.BatchMatMul, []);
}

/** Fast _FusedMatMul (bias and activation stay fused in the original kernel). */
export function fusedMatMulConfig(): KernelConfig | undefined {
  return makeConfig(tf._FusedMatMul, ['bias', 'preluActivationWeights']);
}
