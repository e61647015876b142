// Registers the kernels that let models train fast on the WASM backend of tfjs 4.22: fast
// compositions for the gradient kernels that are missing or naive there, faster data movement,
// fixes for kernels that give wrong results (OneHot, MaxPoolGrad, 'same'-padded convolutions
// with stride > kernel), and a cpu bridge for whatever else cpu has and wasm lacks.
import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig, fusedMatMulConfig } from './batch-matmul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { cpuFallbackConfig, missingWasmKernels } from './cpu-fallback.js';
import { identityConfig } from './identity.js';
import { isOurs, replaceKernel, type KernelConfig } from './kernel-utils.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { oneHotConfig } from './one-hot.js';
import { samePaddingConfigs } from './same-padding.js';
import { sliceConfigs } from './slice.js';
import { tileConfig } from './tile.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { conv2dFilterGradient } from './conv2d-backprop-filter.js';

/** Dedicated kernels, built on demand: several wrap the original wasm kernel they replace. */
function dedicatedKernels(): (KernelConfig | undefined)[] {
  return [
    conv2DBackpropFilterConfig,
    conv2DBackpropInputConfig,
    batchMatMulConfig(),
    fusedMatMulConfig(),
    maxPoolGradConfig,
    unsortedSegmentSumConfig,
    oneHotConfig,
    ...sliceConfigs(),
    tileConfig(),
    ...samePaddingConfigs(),
    identityConfig(),
  ];
}

/**
 * Registers the training kernels for the 'wasm' backend (tfjs-backend-wasm must be imported
 * first). Idempotent: kernels already registered by an earlier call are left alone. Returns the
 * names of all kernels this module has in place, dedicated ones first, then cpu-bridged ones.
 */
export function registerWasmTrainingKernels(): string[] {
  if (tf.getKernelsForBackend('wasm').length === 0) return []; // tfjs-backend-wasm not loaded
  for (const config of dedicatedKernels()) {
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
