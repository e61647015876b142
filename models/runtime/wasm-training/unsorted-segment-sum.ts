// UnsortedSegmentSum for the wasm backend (4.22 has none; it is the gradient of a gather, so every
// embedding layer needs it). A scatter-add over the heap: one pass over the data, O(N*D), with no
// [numSegments, N] one-hot matrix that a large vocabulary would make huge.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, type BackendWasm, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  }
  const wasm = backend as unknown as BackendWasm;
  const idRank = segmentIds.shape.length;
  const outShape = [numSegments, ...x.shape.slice(idRank)];
  const inner = outShape.slice(1).reduce((p, d) => p * d, 1);
  const out = wasm.makeOutput(outShape, x.dtype);
  // Views after the allocation: growing the heap would detach earlier ones.
  const dst = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const src = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = segmentIds.dtype === 'int32' ? (wasm.typedArrayFromHeap(segmentIds) as Int32Array) : Int32Array.from(wasm.typedArrayFromHeap(segmentIds));
  dst.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const seg = ids[i]!;
    if (seg < 0 || seg >= numSegments) continue; // TensorFlow drops out-of-range ids
    const from = i * inner;
    const to = seg * inner;
    for (let j = 0; j < inner; j++) dst[to + j]! += src[from + j]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(kernelFunc),
};
