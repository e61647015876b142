// BatchMatMul and _FusedMatMul for the wasm backend. The shipped kernels reach XNNPACK only for
// untransposed operands with a batch of one; anything else runs a naive loop. Every dense/LSTM
// gradient multiplies by a transpose (dA = dy·Bᵀ, dB = Aᵀ·dy), so we transpose explicitly (a
// native copy) and fold a broadcast batch into rows before calling the original kernel.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, callKernel, compose, originalWasmKernel, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

const batchSize = (s: readonly number[]) => s.slice(0, -2).reduce((p, d) => p * d, 1);

/**
 * Rewrites (a, b, transposes) into an equivalent untransposed product the original kernel runs on
 * XNNPACK, calls it, and restores the output shape. `extra` carries the fused inputs (bias, prelu
 * weights), which apply along the last output axis and so survive the row folding unchanged.
 */
function fastProduct(
  original: KernelConfig,
  { inputs, backend, attrs }: KernelArgs,
  extraNames: readonly string[],
): TensorInfo {
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const named: Record<string, TensorInfo> = { a: inputs.a!, b: inputs.b! };
  for (const k of extraNames) if (inputs[k] != null) named[k] = inputs[k];
  return compose(backend, named, (t) => {
    let a = transposeA ? swapLastTwo(t.a!) : t.a!;
    let b = transposeB ? swapLastTwo(t.b!) : t.b!;
    const m = a.shape[a.rank - 2]!;
    const n = b.shape[b.rank - 1]!;
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    // b shared by every batch entry: one [B*M, K] x [K, N] product instead of B small ones.
    const fold = canFold(inputs);
    if (fold) {
      const k = a.shape[a.rank - 1]!;
      a = tf.reshape(a, [1, batchSize(a.shape) * m, k]);
      b = tf.reshape(b, [1, k, n]);
    } else if (a.rank !== 3 || b.rank !== 3) {
      a = tf.reshape(a, [batchSize(a.shape), m, a.shape[a.rank - 1]!]);
      b = tf.reshape(b, [batchSize(b.shape), b.shape[b.rank - 2]!, n]);
    }
    const kernelInputs: tf.NamedTensorInfoMap = { a, b };
    for (const k of extraNames) if (t[k]) kernelInputs[k] = t[k];
    const info = callKernel(original, {
      inputs: kernelInputs,
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    const out = tf.engine().makeTensorFromTensorInfo(info, backend);
    return tf.reshape(out, [...outBatch, m, n]);
  });
}

function needsRewrite(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): boolean {
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const a = inputs.a!;
  const b = inputs.b!;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return false; // let the original report it
  return transposeA || transposeB || canFold(inputs);
}

/** Whether a's batch can become rows: b is shared, and any prelu weights vary only along N. */
function canFold(inputs: tf.NamedTensorInfoMap): boolean {
  const prelu = inputs.preluActivationWeights;
  return batchSize(inputs.a!.shape) > 1 && batchSize(inputs.b!.shape) === 1 && (prelu == null || prelu.shape.length <= 1);
}

function makeConfig(name: string, extraNames: readonly string[]): KernelConfig | undefined {
  const original = originalWasmKernel(name);
  if (!original) return undefined;
  const kernelFunc = (args: KernelArgs) =>
    needsRewrite(args.inputs, args.attrs) ? fastProduct(original, args, extraNames) : callKernel(original, args);
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
