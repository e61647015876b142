// The inference worker thread: its own tfjs runtime (its own WASM instance) and its own copy of
// the HAR model, so model calls run on a second core while the main thread keeps decoding,
// validating and windowing device streams. Started by worker-classifier.ts; protocol in
// worker-messages.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { threadMemory } from '../../models/runtime/thread-memory.js';
import { initBackend } from '../../models/runtime/backend.js';
import type { BatchResult, WindowClassifier } from './har-inference.js';
import { loadHarModel } from './load-har-model.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread (see worker-classifier.ts)');
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function start(init: WorkerInit): Promise<WindowClassifier> {
  const backend = await initBackend(init.backend);
  const loaded = await loadHarModel(init.harModel, init.harModelDir);
  const c = loaded.classifier;
  const ready: FromWorker = { type: 'ready', backend: backend.name, classes: [...c.classes], windowSize: c.windowSize, hop: c.hop, rateHz: c.rateHz, status: loaded.status };
  if (loaded.warning !== undefined) ready.warning = loaded.warning;
  if (loaded.unavailable !== undefined) ready.unavailable = loaded.unavailable;
  if (c.headWeights && loaded.unavailable === undefined) {
    const { featureSize, kernel, bias } = c.headWeights();
    ready.head = { featureSize, kernel, bias };
  }
  post(ready);
  return c;
}

const init = (workerData as { init: WorkerInit }).init;
start(init).then(
  (classifier) => {
    port.on('message', async (m: ToWorker) => {
      if (m.type === 'predict') {
        try {
          const input = m.windows.subarray(0, m.n * classifier.windowSize * 3);
          // With features (personal heads on the main thread read them): one model call for both.
          const { probs, features, featureSize } = (await (classifier.predictWithFeatures?.(input, m.n, m.placements) ?? { probs: await classifier.predict(input, m.n, m.placements) })) as BatchResult;
          const transfer = [probs.buffer as ArrayBuffer, m.windows.buffer as ArrayBuffer];
          if (features) transfer.push(features.buffer as ArrayBuffer);
          post({ type: 'result', id: m.id, probs, windows: m.windows, features, featureSize }, transfer);
        } catch (err) {
          post({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err), windows: m.windows }, [m.windows.buffer as ArrayBuffer]);
        }
      } else if (m.type === 'memory') {
        post({ type: 'memory', id: m.id, ...threadMemory() });
      } else if (m.type === 'dispose') {
        void classifier.dispose();
        post({ type: 'disposed' });
        port.close();
      }
    });
  },
  (err: unknown) => post({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) }),
);
