// The HAR classifier in a worker thread, seen from the main thread: predict() posts a batch of
// windows and resolves with its probabilities. The model then runs on its own core while the
// main thread goes on with sockets and pipelines (a batch no longer blocks the event loop).
// Results come back in order (the worker handles one message at a time), so the batcher can
// keep further batches queued in the worker and the model need not wait for the main thread.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { HeadWeights } from '../../models/har/personal-head.js';
import { memoryOf, type ThreadMemory } from '../../models/runtime/thread-memory.js';
import type { BatchResult, WindowClassifier, WindowPlacements } from './har-inference.js';
import type { LoadedHarModel } from './load-har-model.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-messages.js';
import { WORKER_RESOURCE_LIMITS } from '../process-flags.js';

const BOOT = fileURLToPath(new URL('./worker-boot.mjs', import.meta.url));
// The entry keeps the extension this module was loaded with (.ts from sources, .js when built).
const ENTRY = new URL(`./inference-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;

/** How long to wait before the next attempt to start a worker after one failed: doubling from initialMs up to maxMs, forever. */
export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { initialMs: 500, maxMs: 30_000 };

/** The worker's state for /api/health and /metrics. */
export interface InferenceWorkerHealth {
  /** running: classifying; restarting: dead, a new one is on its way (or waits for its next attempt); stopped: disposed. */
  state: 'running' | 'restarting' | 'stopped';
  /** Workers that took over after a crash. */
  restarts: number;
  /** Attempts to start a replacement that failed. */
  failedStarts: number;
  /** Why the latest worker died or the latest attempt failed. */
  lastError?: string;
  /** While waiting between attempts: when the next one starts. */
  nextAttemptInMs?: number;
}

export class InferenceWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InferenceWorkerError';
  }
}

/** Starts a worker thread and waits until its model is loaded (or it says why not). */
async function spawn(init: WorkerInit): Promise<{ worker: Worker; ready: Extract<FromWorker, { type: 'ready' }> }> {
  const worker = new Worker(BOOT, { workerData: { entry: ENTRY, init }, resourceLimits: WORKER_RESOURCE_LIMITS });
  const ready = await new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ready') done(() => resolve(m));
      else if (m.type === 'init-failed') done(() => reject(new InferenceWorkerError(`the inference worker could not start: ${m.message}`)));
    };
    const onError = (err: Error) => done(() => reject(new InferenceWorkerError(`the inference worker could not start: ${err.message}`)));
    const onExit = (code: number) => done(() => reject(new InferenceWorkerError(`the inference worker exited (code ${code}) while starting`)));
    const done = (then: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      then();
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  // The server's sockets keep the process alive; an idle worker alone must not.
  worker.unref();
  return { worker, ready };
}

/** What loadHarModel reports, with the worker as the classifier and the worker's backend. */
export type StartedWorker = Omit<LoadedHarModel, 'classifier'> & { classifier: WorkerClassifier; backend: string };

interface Pending {
  resolve: (result: BatchResult) => void;
  reject: (err: Error) => void;
  n: number;
}

export class WorkerClassifier implements WindowClassifier {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** Window buffers the worker handed back, reused for later batches (they are transferred, not copied). */
  private readonly spare: Float32Array[] = [];
  /** predict() runs in another thread: the batcher may keep more batches queued there. */
  readonly concurrent = true;
  /** Set while there is no worker to send batches to (restarting, or stopped for good). */
  private dead: Error | undefined;
  private disposing: Promise<void> | undefined;
  /** Worker restarts after a crash so far. */
  restarts = 0;
  /** Attempts to start a replacement that failed, and how many in a row (the backoff's exponent). */
  failedStarts = 0;
  private failedInARow = 0;
  private lastError: string | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private nextAttemptAt: number | undefined;
  /** Waits between failed restarts. */
  backoff: RestartBackoff = DEFAULT_RESTART_BACKOFF;

  private constructor(
    private worker: Worker,
    private readonly init: WorkerInit,
    readonly classes: readonly string[],
    readonly windowSize: number,
    readonly hop: number,
    readonly rateHz: number,
    /** Told when the worker died and when a new one took over (the server logs it). */
    private readonly onEvent?: (message: string) => void,
    /** The model's final layer as the worker reported it (personal heads start from it). */
    private readonly head?: HeadWeights,
  ) {
    this.watch(worker);
  }

  /**
   * Starts a worker that loads the HAR model the way loadHarModel does (same modes, same
   * refusal to swap a broken model for an untrained one). Resolves once it can classify.
   */
  static async start(init: WorkerInit, onEvent?: (message: string) => void, opts: { restartBackoff?: RestartBackoff } = {}): Promise<StartedWorker> {
    const { worker, ready } = await spawn(init);
    const head = ready.head && { classes: ready.classes, ...ready.head };
    const classifier = new WorkerClassifier(worker, init, ready.classes, ready.windowSize, ready.hop, ready.rateHz, onEvent, head);
    if (opts.restartBackoff) classifier.backoff = opts.restartBackoff;
    const loaded: StartedWorker = { classifier, status: ready.status, backend: ready.backend };
    if (ready.warning !== undefined) loaded.warning = ready.warning;
    if (ready.unavailable !== undefined) loaded.unavailable = ready.unavailable;
    return loaded;
  }

  private watch(worker: Worker): void {
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.lost(worker, `the inference worker failed: ${err.message}`));
    worker.on('exit', (code) => this.lost(worker, `the inference worker exited (code ${code})`));
  }

  /**
   * The worker died (a crash, out of memory): its batches fail, and a new worker loads the model
   * again. Meanwhile batches are refused at once rather than queued behind a restart.
   */
  private lost(worker: Worker, reason: string): void {
    if (worker !== this.worker || this.disposing) return;
    this.lastError = reason;
    this.fail(new InferenceWorkerError(`${reason}; restarting it`));
    this.onEvent?.(`${reason}; restarting it`);
    this.failedInARow = 0;
    this.restart(reason);
  }

  /**
   * Starts a replacement; one that fails (or loads no model) is tried again after a wait that
   * doubles up to backoff.maxMs, for as long as the server runs: a transient cause (memory, a
   * model folder being replaced) must not leave the server without inference for good.
   */
  private restart(reason: string): void {
    this.nextAttemptAt = undefined;
    if (this.disposing) return;
    spawn(this.init)
      .then(async ({ worker: next, ready }) => {
        if (ready.unavailable !== undefined) {
          await next.terminate();
          throw new InferenceWorkerError(ready.unavailable);
        }
        if (this.disposing) {
          void next.terminate();
          return;
        }
        this.worker = next;
        this.watch(next);
        this.restarts++;
        this.failedInARow = 0;
        this.dead = undefined;
        this.onEvent?.('a new inference worker took over');
      })
      .catch((err: unknown) => {
        if (this.disposing) return;
        const why = err instanceof Error ? err.message : String(err);
        const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failedInARow);
        this.failedStarts++;
        this.failedInARow++;
        this.lastError = why;
        this.dead = new InferenceWorkerError(`${reason}, and a new one could not start: ${why}; next attempt in ${delay} ms`);
        this.onEvent?.(this.dead.message);
        this.nextAttemptAt = Date.now() + delay;
        this.restartTimer = setTimeout(() => this.restart(reason), delay);
        this.restartTimer.unref();
      });
  }

  /** Running, restarting (with its backoff) or stopped, for /api/health and /metrics. */
  health(): InferenceWorkerHealth {
    const state = this.disposing ? 'stopped' : this.dead ? 'restarting' : 'running';
    const h: InferenceWorkerHealth = { state, restarts: this.restarts, failedStarts: this.failedStarts };
    if (this.lastError !== undefined) h.lastError = this.lastError;
    if (state === 'restarting' && this.nextAttemptAt !== undefined) h.nextAttemptInMs = Math.max(0, this.nextAttemptAt - Date.now());
    return h;
  }

  /** n windows (interleaved x,y,z in g) -> n * classes probabilities, computed in the worker. */
  predict(windows: Float32Array, n: number, placements?: WindowPlacements): Promise<Float32Array> {
    return this.predictWithFeatures(windows, n, placements).then((r) => r.probs);
  }

  /** The probabilities and (with a model) the final layer's input features, from one model call in the worker. */
  predictWithFeatures(windows: Float32Array, n: number, placements?: WindowPlacements): Promise<BatchResult> {
    if (this.dead) return Promise.reject(this.dead);
    const values = n * this.windowSize * 3;
    if (!Number.isInteger(n) || n < 0 || windows.length !== values) {
      return Promise.reject(new RangeError(`expected ${n} windows x ${this.windowSize} samples x 3 axes = ${values} values, got ${windows.length}`));
    }
    if (n === 0) return Promise.resolve({ probs: new Float32Array(0) });
    // Copy into a buffer we can give away: the caller keeps (and reuses) its own.
    const buffer = this.takeBuffer(values);
    buffer.set(windows);
    const id = this.nextId++;
    return new Promise<BatchResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, n });
      this.post({ type: 'predict', id, windows: buffer, n, ...(placements ? { placements: [...placements] } : {}) }, [buffer.buffer as ArrayBuffer]);
    });
  }

  /** The worker's tensors (tests check that they do not grow: no leaks), heap and WASM memory. */
  memory(): Promise<ThreadMemory> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type !== 'memory' || m.id !== id) return;
        this.worker.off('message', onMessage);
        resolve(memoryOf(m));
      };
      this.worker.on('message', onMessage);
      this.pending.set(id, { resolve: () => {}, reject, n: 0 });
      this.post({ type: 'memory', id });
    });
  }

  /** The shared head (copies), when the worker has a model. */
  headWeights(): HeadWeights {
    if (!this.head) throw new Error('the inference worker reported no model head');
    return { ...this.head, kernel: this.head.kernel.slice(), bias: this.head.bias.slice() };
  }

  /** Batches not answered yet (sent to the worker). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Disposes the model and stops the worker; batches still in it are rejected. */
  dispose(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.disposing ??= (async () => {
      if (!this.dead) {
        const disposed = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          this.worker.on('message', (m: FromWorker) => m.type === 'disposed' && (clearTimeout(timer), resolve()));
          this.worker.once('exit', () => (clearTimeout(timer), resolve()));
        });
        this.post({ type: 'dispose' });
        await disposed;
      }
      this.dead = new InferenceWorkerError('the inference worker was stopped');
      this.fail(this.dead);
      await this.worker.terminate();
    })();
    return this.disposing;
  }

  private post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private takeBuffer(values: number): Float32Array {
    for (let i = this.spare.length - 1; i >= 0; i--) {
      const b = this.spare[i]!;
      if (b.length >= values) {
        this.spare.splice(i, 1);
        return b.length === values ? b : b.subarray(0, values);
      }
    }
    return new Float32Array(values);
  }

  private onMessage(m: FromWorker): void {
    if (m.type !== 'result' && m.type !== 'failed' && m.type !== 'memory') return;
    const p = this.pending.get(m.id);
    this.pending.delete(m.id);
    if (m.type === 'memory') return; // answered by memory()'s own listener
    if (this.spare.length < 4) this.spare.push(new Float32Array(m.windows.buffer));
    if (!p) return;
    if (m.type === 'result') p.resolve(m.features ? { probs: m.probs, features: m.features, featureSize: m.featureSize ?? 0 } : { probs: m.probs });
    else p.reject(new Error(m.message));
  }

  /** Rejects every batch in the worker; new ones are refused with `err` until a worker is back. */
  private fail(err: Error): void {
    this.dead = err;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
  }
}
