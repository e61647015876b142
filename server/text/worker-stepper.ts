// The language models' LSTM steps in one worker thread (step-worker.ts), seen from the main
// thread: StepWorker is the thread, each WorkerStepper one of its models as the StepModel the step
// batcher drives (step() posts a batch of (token, state) rows and resolves with probabilities,
// states and features). The main thread keeps only the tokenizers. One thread for every model:
// a second model costs its weights, not another runtime. A worker that dies fails the messages
// it held; the next one starts a new worker, which loads each model again on its first step.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StepModel, StepResult } from '../../models/lm/lstm-step.js';
import type { DrawSpec } from '../../models/lm/sample-token.js';
import { memoryOf, NO_THREAD_MEMORY, type ThreadMemory } from '../../models/runtime/thread-memory.js';
import { WORKER_RESOURCE_LIMITS } from '../process-flags.js';
import type { FromStepWorker, StepShape, StepWorkerInit, ToStepWorker } from './step-worker-messages.js';

const BOOT = fileURLToPath(new URL('../inference/worker-boot.mjs', import.meta.url));
// The entry keeps the extension this module was loaded with (.ts from sources, .js when built).
const ENTRY = new URL(`./step-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;

const DISPOSE_TIMEOUT_MS = 5000;

export class StepWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepWorkerError';
  }
}

interface Pending {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

/** Starts a worker thread and waits until its runtime is up (or it says why not). */
async function spawn(init: StepWorkerInit): Promise<Worker> {
  const worker = new Worker(BOOT, { workerData: { entry: ENTRY, init }, resourceLimits: WORKER_RESOURCE_LIMITS });
  try {
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromStepWorker) =>
        done(() => (m.type === 'ready' ? resolve() : reject(new StepWorkerError(m.type === 'init-failed' ? m.message : `unexpected first message '${m.type}'`))));
      const onError = (err: Error) => done(() => reject(new StepWorkerError(`the text models' step worker failed while starting: ${err.message}`)));
      const onExit = (code: number) => done(() => reject(new StepWorkerError(`the text models' step worker exited (code ${code}) while starting`)));
      // Only our own listeners come off (removeAllListeners would take Node's internal ones too).
      const done = (then: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        then();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  // The server's sockets keep the process alive; an idle worker alone must not.
  worker.unref();
  return worker;
}

/** The thread that runs every text model's steps; started with the first model. */
export class StepWorker {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** Workers started so far. */
  private started = 0;

  constructor(private readonly init: StepWorkerInit) {}

  /** Workers started after one died. */
  get restarts(): number {
    return Math.max(0, this.started - 1);
  }

  /** Loads a model (name in models/trained, or a folder) in the worker; rejects with the worker's reason when it cannot. */
  async load(model: string): Promise<WorkerStepper> {
    const shape = await this.call<StepShape>((id) => ({ type: 'load', id, model }));
    return new WorkerStepper(this, model, shape);
  }

  step(model: string, tokens: Int32Array | readonly number[], states: Float32Array, draws?: readonly (DrawSpec | null)[]): Promise<StepResult> {
    // Copies: the buffers are transferred, so the caller's arrays stay usable.
    const t = Int32Array.from(tokens);
    const s = states.slice();
    return this.call<StepResult>((id) => ({ type: 'step', id, model, tokens: t, states: s, ...(draws ? { draws } : {}) }), [t.buffer, s.buffer]);
  }

  /** The worker's tensors (the leak tests' figure), heap and WASM memory; zeros while no worker runs. */
  async memory(): Promise<ThreadMemory> {
    if (!this.worker) return NO_THREAD_MEMORY;
    return this.call((id) => ({ type: 'memory', id }));
  }

  /** Lets the worker finish its messages and dispose the models, then ends it. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const worker = this.worker ?? (await this.starting?.catch(() => undefined));
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void worker.terminate(), DISPOSE_TIMEOUT_MS);
    worker.postMessage({ type: 'dispose' } satisfies ToStepWorker);
    await exited;
    clearTimeout(timer);
    this.fail(new StepWorkerError('the text models were disposed'));
  }

  private async call<T>(message: (id: number) => ToStepWorker, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.disposed) throw new StepWorkerError('the text models were disposed');
    const worker = this.worker ?? (await this.start());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      worker.postMessage(message(id), transfer);
    });
  }

  /** A worker: the first, or a new one after the last died (one start at a time; a failed start is tried again by the next call). */
  private start(): Promise<Worker> {
    this.starting ??= spawn(this.init)
      .then((worker) => {
        if (this.disposed) {
          void worker.terminate();
          throw new StepWorkerError('the text models were disposed');
        }
        this.started++;
        this.adopt(worker);
        return worker;
      })
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  private adopt(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (m: FromStepWorker) => this.onMessage(m));
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.fail(new StepWorkerError(`the text models' step worker stopped (${why}); the next step starts a new one`));
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
  }

  private fail(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private onMessage(m: FromStepWorker): void {
    if (m.type === 'ready' || m.type === 'init-failed' || m.type === 'disposed') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'failed') p.reject(new StepWorkerError(m.message));
    else if (m.type === 'memory') p.resolve(memoryOf(m) as never);
    else if (m.type === 'loaded') p.resolve({ vocabSize: m.vocabSize, stateSize: m.stateSize, featureSize: m.featureSize } as never);
    else {
      const out: StepResult = { probs: m.probs, states: m.states };
      if (m.features) out.features = m.features;
      if (m.drawnIds) out.drawnIds = m.drawnIds;
      p.resolve(out as never);
    }
  }
}

/** One model of the step worker. */
export class WorkerStepper implements StepModel {
  readonly vocabSize: number;
  readonly stateSize: number;
  readonly featureSize: number;

  constructor(
    private readonly host: StepWorker,
    readonly model: string,
    shape: StepShape,
  ) {
    ({ vocabSize: this.vocabSize, stateSize: this.stateSize, featureSize: this.featureSize } = shape);
  }

  zeroState(): Float32Array {
    return new Float32Array(this.stateSize);
  }

  step(tokens: Int32Array | readonly number[], states: Float32Array, draws?: readonly (DrawSpec | null)[]): Promise<StepResult> {
    return this.host.step(this.model, tokens, states, draws);
  }

  /** The worker's models go with it (StepWorker.dispose). */
  dispose(): void {}
}
