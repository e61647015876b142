// The messages between the server's main thread (model-cache.ts) and its image worker
// (image-worker.ts). Jobs are image-jobs.ts's; errors cross as plain data: a domain error keeps
// its HTTP status and code, anything else is a bug (500).
import type { ImageJobName } from './image-jobs.js';
import type { ImageModelName } from './model-loader.js';
import type { ThreadMemory } from '../../models/runtime/thread-memory.js';

/** Image requests are background work next to live streams: the worker thread's nice value (Linux). */
export const IMAGE_WORKER_NICE = 10;

export interface ImageWorkerInit {
  /** Folder of the trained models. */
  modelsDir?: string;
}

export type ToImageWorker = { type: 'run'; id: number; job: ImageJobName; args: unknown } | { type: 'memory'; id: number } | { type: 'dispose' };

export interface JobError {
  message: string;
  /** Set for domain errors (bad input, untrained model): the reply's status and code. */
  statusCode?: number;
  code?: string;
}

export type FromImageWorker =
  | { type: 'done'; id: number; result: unknown }
  | { type: 'failed'; id: number; error: JobError }
  | { type: 'model'; name: ImageModelName; error?: string }
  | ({ type: 'memory'; id: number } & ThreadMemory)
  | { type: 'disposed' };
