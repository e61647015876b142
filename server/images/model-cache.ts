// The image models as the routes see them: jobs (image-jobs.ts) sent to one image worker thread
// (image-worker.ts), which loads the models on first use and runs them on another core. On the
// event loop, a request then costs its parsing and its reply; a 25x25 manifold no longer holds
// every socket for ~400 ms. The worker starts with the first job; a worker that dies fails its
// jobs with 503 and the next job starts a new one. Model load results come back for /api/health.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelStatus } from '../model-status.js';
import { TRAINED_MODELS_DIR } from '../../models/store/model-store.js';
import { memoryOf, NO_THREAD_MEMORY, type ThreadMemory } from '../../models/runtime/thread-memory.js';
import { ImageRequestError } from './errors.js';
import type { ImageJobName, ImageJobs } from './image-jobs.js';
import type { FromImageWorker, ImageWorkerInit, JobError, ToImageWorker } from './image-worker-messages.js';
import { IMAGE_MODEL_NAMES, type ImageModelName } from './model-loader.js';
import { WORKER_RESOURCE_LIMITS } from '../process-flags.js';

export { IMAGE_MODEL_NAMES, type ImageModelName } from './model-loader.js';

const BOOT = fileURLToPath(new URL('../inference/worker-boot.mjs', import.meta.url));
// The entry keeps the extension this module was loaded with (.ts from sources, .js when built).
const ENTRY = new URL(`./image-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;

const DISPOSE_TIMEOUT_MS = 5000;

interface Pending {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

function fromJobError(e: JobError): Error {
  if (e.statusCode !== undefined && e.code !== undefined) return new ImageRequestError(e.statusCode, e.code, e.message);
  return new Error(e.message);
}

export class ImageModelCache {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly loaded = new Set<ImageModelName>();
  private readonly loadErrors = new Map<ImageModelName, string>();
  private closed = false;

  constructor(readonly dir: string = TRAINED_MODELS_DIR) {}

  /** Runs one job in the image worker. */
  run<K extends ImageJobName>(job: K, args: ImageJobs[K]['args']): Promise<ImageJobs[K]['result']> {
    return this.call((id) => ({ type: 'run', id, job, args }));
  }

  /** The worker's tensors (the leak tests' figure), heap and WASM memory; zeros while no worker runs. */
  async memory(): Promise<ThreadMemory> {
    if (!this.worker) return NO_THREAD_MEMORY;
    return this.call((id) => ({ type: 'memory', id }));
  }

  private call<T>(message: (id: number) => ToImageWorker): Promise<T> {
    if (this.closed) return Promise.reject(new ImageRequestError(503, 'shutting-down', 'the server is closing'));
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      worker.postMessage(message(id));
    });
  }

  private spawn(): Worker {
    const init: ImageWorkerInit = { modelsDir: this.dir };
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY, init }, resourceLimits: WORKER_RESOURCE_LIMITS });
    worker.unref(); // the server's sockets keep the process alive; an idle worker alone must not
    worker.on('message', (m: FromImageWorker) => this.onMessage(m));
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const err = new ImageRequestError(503, 'model-unavailable', `the image worker stopped (${why}); try again`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onMessage(m: FromImageWorker): void {
    if (m.type === 'model') {
      if (m.error === undefined) {
        this.loaded.add(m.name);
        this.loadErrors.delete(m.name);
      } else this.loadErrors.set(m.name, m.error);
      return;
    }
    if (m.type === 'disposed') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'failed') p.reject(fromJobError(m.error));
    else if (m.type === 'done') p.resolve(m.result as never);
    else p.resolve(memoryOf(m) as never);
  }

  /** For /api/health: each image model, whether it is on disk, loaded, or failed to load. */
  status(): ModelStatus[] {
    return IMAGE_MODEL_NAMES.map((name) => {
      const loaded = this.loaded.has(name);
      const status: ModelStatus = { name, loaded, trained: loaded || existsSync(join(this.dir, name, 'metadata.json')), details: { kind: 'image', loadsOnFirstUse: true } };
      const error = this.loadErrors.get(name);
      if (!loaded && error !== undefined) status.error = error;
      return status;
    });
  }

  /** Lets the worker finish its jobs and dispose its models, then ends it. */
  async dispose(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'dispose' } satisfies ToImageWorker);
    const timer = setTimeout(() => void worker.terminate(), DISPOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.loaded.clear();
  }
}
