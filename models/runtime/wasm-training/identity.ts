// Identity for the wasm backend: the shipped kernel copies the data, and a training step of an
// LSTM calls it ~3,000 times (gradient bookkeeping). Tensors are immutable, so the output can
// share the input's buffer with one more reference, as Reshape does and as the cpu backend's
// Identity does.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, callKernel, originalWasmKernel, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

function kernelFunc(args: KernelArgs): TensorInfo | TensorInfo[] {
  const x = args.inputs.x!;
  if (x.dtype === 'string') {
    const original = originalWasmKernel(tf.Identity);
    if (!original) throw new Error('Identity: no wasm kernel for strings');
    return callKernel(original, args);
  }
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export function identityConfig(): KernelConfig | undefined {
  const original = originalWasmKernel(tf.Identity);
  if (!original) return undefined;
  return { kernelName: tf.Identity, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc: asKernelFunc(kernelFunc) };
}
