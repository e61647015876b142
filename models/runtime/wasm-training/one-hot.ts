// OneHot for the wasm backend: 4.22's native kernel always writes int32 bits, whatever the dtype
// asked for, so a float32 one-hot (what losses use) reads as denormals/NaN. Filling the output
// from JS is trivially cheap next to any model that consumes it.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, type BackendWasm, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { indices } = inputs as { indices: TensorInfo };
  const { depth, onValue, offValue, dtype } = attrs as unknown as tf.OneHotAttrs;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new Error(`OneHot on wasm supports float32, int32 and bool, got ${dtype}`);
  }
  const wasm = backend as unknown as BackendWasm;
  const out = wasm.makeOutput([...indices.shape, depth], dtype);
  const dst = wasm.typedArrayFromHeap(out);
  const idx = wasm.typedArrayFromHeap(indices);
  dst.fill(offValue);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    if (k >= 0 && k < depth && Number.isInteger(k)) dst[i * depth + k] = onValue;
  }
  return out;
}

export const oneHotConfig: KernelConfig = {
  kernelName: tf.OneHot,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(kernelFunc),
};
