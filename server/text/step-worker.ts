// The language models' step worker thread: its own tfjs runtime and every text model's LSTM
// (loaded on first use), so that a batch of steps (a 6,000-word softmax for each of up to 64
// sequences: tens of ms on wasm) runs on another core instead of holding the event loop that
// reads every phone's frames. One message at a time, in arrival order. Started by
// worker-stepper.ts through server/inference/worker-boot.mjs; protocol in step-worker-messages.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { threadMemory } from '../../models/runtime/thread-memory.js';
import { loadLm } from '../../models/lm/lm-store.js';
import type { LstmStepper } from '../../models/lm/lstm-step.js';
import { initBackend } from '../../models/runtime/backend.js';
import { niceThisThread } from '../../lib/thread-priority.js';
import { TEXT_WORKER_NICE, type FromStepWorker, type StepWorkerInit, type ToStepWorker } from './step-worker-messages.js';

const port = parentPort;
if (!port) throw new Error('step-worker.ts runs as a worker thread (see worker-stepper.ts)');
niceThisThread(TEXT_WORKER_NICE);
const post = (m: FromStepWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const models = new Map<string, Promise<LstmStepper>>();

/** The model's stepper, loading it on first use (a failed load is tried again next time). */
function stepper(model: string): Promise<LstmStepper> {
  let s = models.get(model);
  if (!s) {
    s = loadLm(model).then((lm) => {
      // The stepper holds its own copies of the weights: the layers model is not needed here.
      lm.model.dispose();
      return lm.stepper;
    });
    s.catch(() => models.delete(model));
    models.set(model, s);
  }
  return s;
}

/** The array alone in its buffer (a view into a larger one is copied): only a whole buffer can be transferred. */
function whole(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

async function handle(m: ToStepWorker): Promise<void> {
  if (m.type === 'load') {
    const s = await stepper(m.model);
    post({ type: 'loaded', id: m.id, vocabSize: s.vocabSize, stateSize: s.stateSize, featureSize: s.featureSize });
  } else if (m.type === 'step') {
    const out = await (await stepper(m.model)).step(m.tokens, m.states, m.draws);
    const drawnIds = out.drawnIds;
    const everyRowDrew = drawnIds !== undefined && drawnIds.every((t) => t >= 0);
    const [probs, states] = [everyRowDrew ? new Float32Array(0) : whole(out.probs), whole(out.states)];
    const features = out.features && whole(out.features);
    const transfer = [probs.buffer, states.buffer, ...(features ? [features.buffer] : []), ...(drawnIds ? [drawnIds.buffer] : [])] as ArrayBuffer[];
    post({ type: 'stepped', id: m.id, probs, states, ...(features ? { features } : {}), ...(drawnIds ? { drawnIds } : {}) }, transfer);
  } else if (m.type === 'memory') {
    post({ type: 'memory', id: m.id, ...threadMemory() });
  } else {
    for (const s of models.values()) (await s.catch(() => undefined))?.dispose();
    post({ type: 'disposed' });
    port!.close();
  }
}

function serve(): void {
  let queue: Promise<void> = Promise.resolve();
  port!.on('message', (m: ToStepWorker) => {
    queue = queue.then(() =>
      handle(m).catch((err: unknown) => {
        if (m.type !== 'dispose') post({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
      }),
    );
  });
  post({ type: 'ready' });
}

initBackend((workerData as { init: StepWorkerInit }).init.backend).then(serve, (err: unknown) => {
  post({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) });
  port.close();
});
