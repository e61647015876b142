// The messages between the server's main thread and its inference worker (inference-worker.ts).
// Windows and probabilities travel as transferred Float32Arrays: no copies between threads, and
// the window buffer comes back with its result so the main thread can reuse it.
import type { HarModelMode } from '../config.js';
import type { ModelStatus } from '../model-status.js';
import type { Placement } from '../../protocol/sensor-messages.js';
import type { ThreadMemory } from '../../models/runtime/thread-memory.js';

export interface WorkerInit {
  /** tfjs backend choice for the worker's own runtime ('wasm', 'cpu', 'auto'…). */
  backend: string;
  harModel: HarModelMode;
  harModelDir?: string;
}

export type ToWorker = { type: 'predict'; id: number; windows: Float32Array; n: number; placements?: (Placement | undefined)[] } | { type: 'memory'; id: number } | { type: 'dispose' };

export type FromWorker =
  | {
      type: 'ready';
      backend: string;
      classes: string[];
      windowSize: number;
      hop: number;
      rateHz: number;
      status: ModelStatus;
      warning?: string;
      unavailable?: string;
      /** The model's final Dense layer, for personal heads (server/calibration/); absent when there is no model. */
      head?: { featureSize: number; kernel: Float32Array; bias: Float32Array };
    }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; probs: Float32Array; windows: Float32Array; features?: Float32Array; featureSize?: number }
  | { type: 'failed'; id: number; message: string; windows: Float32Array }
  | ({ type: 'memory'; id: number } & ThreadMemory)
  | { type: 'disposed' };
