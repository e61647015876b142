// Tile for the wasm backend. The shipped kernel computes every output element's source through
// per-element std::vector index conversions (~50 ns/element); batch-norm gradients tile a
// per-channel vector to the full activation shape, which cost ~20 ms per call in a DCGAN. This
// copies the innermost rows once and then replicates whole blocks with copyWithin.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, callKernel, originalWasmKernel, type BackendWasm, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

type Heap = Float32Array | Int32Array | Uint8Array;

function tileHeap(backend: tf.KernelBackend, x: TensorInfo, reps: readonly number[]): TensorInfo {
  const wasm = backend as unknown as BackendWasm;
  const xs = x.shape;
  const outShape = xs.map((d, i) => d * reps[i]!);
  const out = wasm.makeOutput(outShape, x.dtype);
  if (outShape.some((d) => d === 0)) return out;
  const src = wasm.typedArrayFromHeap(x) as Heap;
  const dst = wasm.typedArrayFromHeap(out) as Heap;
  const rank = xs.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const xStrides = tf.util.computeStrides(xs).concat(1);
  const oStrides = tf.util.computeStrides(outShape).concat(1);
  // Fills dst's block for `dim` at dstOff from src at srcOff: first the x-sized part, then its
  // reps-1 copies, each a single contiguous block copy.
  const fill = (dim: number, srcOff: number, dstOff: number): void => {
    const n = xs[dim]!;
    if (dim === rank - 1) {
      if (n === 1) dst.fill(src[srcOff]!, dstOff, dstOff + reps[dim]!);
      else for (let r = 0; r < reps[dim]!; r++) dst.set(src.subarray(srcOff, srcOff + n), dstOff + r * n);
      return;
    }
    for (let i = 0; i < n; i++) fill(dim + 1, srcOff + i * xStrides[dim]!, dstOff + i * oStrides[dim]!);
    const block = n * oStrides[dim]!;
    for (let r = 1; r < reps[dim]!; r++) dst.copyWithin(dstOff + r * block, dstOff, dstOff + block);
  };
  fill(0, 0, 0);
  return out;
}

function kernelFunc(args: KernelArgs): TensorInfo | TensorInfo[] {
  const x = args.inputs.x!;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    const original = originalWasmKernel(tf.Tile);
    if (!original) throw new Error(`Tile: no wasm kernel for ${x.dtype}`);
    return callKernel(original, args);
  }
  return tileHeap(args.backend, x, (args.attrs as unknown as tf.TileAttrs).reps);
}

export function tileConfig(): KernelConfig | undefined {
  const original = originalWasmKernel(tf.Tile);
  if (!original) return undefined;
  return { kernelName: tf.Tile, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc: asKernelFunc(kernelFunc) };
}
