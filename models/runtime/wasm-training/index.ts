// Registers the kernels that let models train fast on the WASM backend of tfjs 4.22: fast
// compositions for the gradient kernels that are missing or naive there, a OneHot fix, and a cpu
// bridge for whatever else the cpu backend has and wasm lacks.
import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig, fusedMatMulConfig } from './batch-matmul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { cpuFallbackConfig, missingWasmKernels } from './cpu-fallback.js';
import { isOurs, replaceKernel, type KernelConfig } from './kernel-utils.js';
import { oneHotConfig } from './one-hot.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { conv2dFilterGradient } from './conv2d-backprop-filter.js';
export { conv2dInputGradient } from './conv2d-backprop-input.js';

/** Dedicated kernels, built lazily: the matmul ones wrap the original wasm kernel. */
const DEDICATED: readonly (() => KernelConfig | undefined)[] = [
  () => conv2DBackpropFilterConfig,
  () => conv2DBackpropInputConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  () => unsortedSegmentSumConfig,
  () => oneHotConfig,
];

/**
 * Registers the training kernels for the 'wasm' backend (tfjs-backend-wasm must be imported
 * first). Idempotent: kernels already registered by an earlier call are left alone. Returns the
 * names of all kernels this module has in place, dedicated ones first, then cpu-bridged ones.
 */
export function registerWasmTrainingKernels(): string[] {
  if (tf.getKernelsForBackend('wasm').length === 0) return []; // tfjs-backend-wasm not loaded
  for (const make of DEDICATED) {
    const config = make();
    if (config && !isOurs(tf.getKernel(config.kernelName, 'wasm'))) replaceKernel(config);
  }
  for (const name of missingWasmKernels()) replaceKernel(cpuFallbackConfig(name));
  return registeredWasmTrainingKernels();
}

/** The wasm kernels currently supplied by this module. */
export function registeredWasmTrainingKernels(): string[] {
  return tf
    .getKernelsForBackend('wasm')
    .filter((k) => isOurs(k))
    .map((k) => k.kernelName);
}
