// The messages between the server's main thread (worker-stepper.ts) and its language models' step
// worker (step-worker.ts). Arrays cross by transfer, not copy: a batch's probabilities are
// batch x vocabulary floats.
import type { DrawSpec } from '../../models/lm/sample-token.js';
import type { ThreadMemory } from '../../models/runtime/thread-memory.js';

/**
 * The step worker thread's nice value (Linux). At the main thread's priority, each step posted to
 * it woke it onto a core the event loop was using: a CPU profile under the hostile HTTP mix put 1.3 s
 * of the event loop's long tasks (5 ms or more, 132 s) in that postMessage; at 10, 0.3 s.
 */
export const TEXT_WORKER_NICE = 10;

export interface StepWorkerInit {
  /** tfjs backend for the worker's own runtime: the one the main thread chose. */
  backend: string;
}

/** A model's sizes, as its stepper has them. */
export interface StepShape {
  vocabSize: number;
  stateSize: number;
  featureSize: number;
}

export type ToStepWorker =
  /** Loads a model (name in models/trained, or a folder) if it is not loaded yet: answered 'loaded' or 'failed'. */
  | { type: 'load'; id: number; model: string }
  /** A step of a model's batch (the model loads first if this worker has not loaded it yet); rows with a draw get their next token drawn here. */
  | { type: 'step'; id: number; model: string; tokens: Int32Array; states: Float32Array; draws?: readonly (DrawSpec | null)[] }
  | { type: 'memory'; id: number }
  | { type: 'dispose' };

export type FromStepWorker =
  | { type: 'ready' }
  | { type: 'init-failed'; message: string }
  | ({ type: 'loaded'; id: number } & StepShape)
  /** `probs` is empty when every row drew: the main thread then gets a token per row, not batch x vocabulary floats. */
  | { type: 'stepped'; id: number; probs: Float32Array; states: Float32Array; features?: Float32Array; drawnIds?: Int32Array }
  | { type: 'failed'; id: number; message: string }
  | ({ type: 'memory'; id: number } & ThreadMemory)
  | { type: 'disposed' };
