// The inference batcher's defaults per backend. On WASM and the CPU one model call costs about
// as much per window at batch 32 as at 256, so small batches and a short wait keep latency low.
// On a GPU a call has a large fixed cost (dispatch, upload, readback) and windows are nearly free
// inside it: bigger batches and a longer wait to fill them pay (128: half the default queue of
// 256, so a second batch can fill while one runs).
import type { BackendName } from './backend.js';

export interface BatchingDefaults {
  /** Largest inference batch, windows. */
  maxBatch: number;
  /** Longest a window waits for others before its batch runs, ms. */
  maxDelayMs: number;
}

export const BATCHING_DEFAULTS: Record<BackendName, BatchingDefaults> = {
  cpu: { maxBatch: 32, maxDelayMs: 5 },
  wasm: { maxBatch: 32, maxDelayMs: 5 },
  tensorflow: { maxBatch: 64, maxDelayMs: 5 },
  'tensorflow-gpu': { maxBatch: 128, maxDelayMs: 10 },
  webgpu: { maxBatch: 128, maxDelayMs: 10 },
};

/**
 * The batching to serve with: each setting left at its generic default (`generic`, the options
 * table's) takes the backend's default instead; a value the user chose is kept.
 */
export function batchingForBackend<T extends BatchingDefaults>(backend: string, config: T, generic: BatchingDefaults): T {
  const d = BATCHING_DEFAULTS[backend as BackendName];
  if (!d) return config;
  return {
    ...config,
    maxBatch: config.maxBatch === generic.maxBatch ? d.maxBatch : config.maxBatch,
    maxDelayMs: config.maxDelayMs === generic.maxDelayMs ? d.maxDelayMs : config.maxDelayMs,
  };
}
