// Slice, Unpack, SplitV and the contiguous path of StridedSlice for the wasm backend. The shipped
// slice reads its input with readSync, which COPIES the whole input out of the heap for every
// slice: unstacking an LSTM's [32, 64, 256] sequence gradient into 64 steps copied 64 x 2 MB,
// ~65 ms per call. These read the input in place through a heap view.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, callKernel, originalWasmKernel, type BackendWasm, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

/** x[begin : begin + size] as a new wasm tensor (numeric dtypes). */
export function sliceHeap(backend: tf.KernelBackend, x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
  const wasm = backend as unknown as BackendWasm;
  const out = wasm.makeOutput(size.slice(), x.dtype);
  const total = size.reduce((p, d) => p * d, 1);
  if (total === 0) return out;
  // Views after the allocation, which may have grown (and detached) the heap.
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape).concat(1);
  // Trailing axes taken whole merge into one contiguous row.
  let j = rank - 1;
  while (j > 0 && begin[j] === 0 && size[j] === x.shape[j]) j--;
  const rowLen = size.slice(j).reduce((p, d) => p * d, 1);
  const rows = total / rowLen;
  const idx = new Array<number>(j).fill(0);
  let base = begin[j]! * strides[j]!;
  for (let d = 0; d < j; d++) base += begin[d]! * strides[d]!;
  for (let r = 0, o = 0; r < rows; r++, o += rowLen) {
    let off = base;
    for (let d = 0; d < j; d++) off += idx[d]! * strides[d]!;
    if (rowLen >= 16) dst.set(src.subarray(off, off + rowLen), o);
    else for (let k = 0; k < rowLen; k++) dst[o + k] = src[off + k]!;
    for (let d = j - 1; d >= 0; d--) {
      if (++idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

function delegate(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const original = originalWasmKernel(name);
  if (!original) throw new Error(`no original wasm kernel '${name}'`);
  return callKernel(original, args);
}

function sliceKernel(args: KernelArgs): TensorInfo | TensorInfo[] {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return delegate(tf.Slice, args);
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceHeap(args.backend, x, b, s);
}

function unpackKernel(args: KernelArgs): TensorInfo | TensorInfo[] {
  const value = args.inputs.value!;
  if (value.dtype === 'string') return delegate(tf.Unpack, args);
  const rank = value.shape.length;
  let { axis } = args.attrs as unknown as tf.UnpackAttrs;
  if (axis < 0) axis += rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]!; i++) {
    begin[axis] = i;
    const o = sliceHeap(args.backend, value, begin, size);
    outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
  }
  return outs;
}

function splitVKernel(args: KernelArgs): TensorInfo | TensorInfo[] {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return delegate(tf.SplitV, args);
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[ax] = s;
    const o = sliceHeap(args.backend, x, begin, size);
    begin[ax]! += s;
    return o;
  });
}

function stridedSliceKernel(args: KernelArgs): TensorInfo | TensorInfo[] {
  const x = args.inputs.x!;
  const a = args.attrs as unknown as tf.StridedSliceAttrs;
  if (x.dtype === 'string') return delegate(tf.StridedSlice, args);
  const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
  // Only the plain-slice path read through the copying slice; the rest is native already.
  if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice)) return delegate(tf.StridedSlice, args);
  const size = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
  const o = sliceHeap(args.backend, x, info.begin, size);
  return { dataId: o.dataId, dtype: o.dtype, shape: info.finalShape };
}

function config(name: string, fn: (args: KernelArgs) => TensorInfo | TensorInfo[]): KernelConfig | undefined {
  const original = originalWasmKernel(name);
  if (!original) return undefined;
  return { kernelName: name, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc: asKernelFunc(fn) };
}

/** The slice-family replacements (undefined entries when tfjs-backend-wasm is not loaded). */
export function sliceConfigs(): (KernelConfig | undefined)[] {
  return [config(tf.Slice, sliceKernel), config(tf.Unpack, unpackKernel), config(tf.SplitV, splitVKernel), config(tf.StridedSlice, stridedSliceKernel)];
}
