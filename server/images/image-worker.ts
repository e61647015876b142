// The image worker thread: its own tfjs runtime and the image models (loaded on first use), so a
// manifold of 625 digits or a batch of 64 GAN samples runs on another core while the main thread
// keeps serving phones, typists and dashboards. One job at a time, in arrival order. Started by
// model-cache.ts through server/inference/worker-boot.mjs; protocol in image-worker-messages.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { threadMemory } from '../../models/runtime/thread-memory.js';
import { asImageRequestError } from './errors.js';
import { imageJobRunners, type ImageJobName } from './image-jobs.js';
import { IMAGE_WORKER_NICE, type FromImageWorker, type ImageWorkerInit, type JobError, type ToImageWorker } from './image-worker-messages.js';
import { ImageModelLoader } from './model-loader.js';
import { niceThisThread } from '../../lib/thread-priority.js';

const port = parentPort;
if (!port) throw new Error('image-worker.ts runs as a worker thread (see model-cache.ts)');
const post = (m: FromImageWorker) => port.postMessage(m);
niceThisThread(IMAGE_WORKER_NICE);
const init = (workerData as { init: ImageWorkerInit }).init;

function jobError(err: unknown): JobError {
  const domain = asImageRequestError(err);
  if (domain) return { message: domain.message, statusCode: domain.statusCode, code: domain.code };
  return { message: err instanceof Error ? err.message : String(err) };
}

const models = new ImageModelLoader(init.modelsDir, (name, error) => post(error === undefined ? { type: 'model', name } : { type: 'model', name, error }));
const runners = imageJobRunners(models) as Record<ImageJobName, (args: unknown) => Promise<unknown>>;
// One job at a time, in order: a job's tensors are gone before the next starts, so tf.memory()
// between jobs counts the models alone (what the leak tests read).
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: ToImageWorker) => {
  if (m.type === 'run') {
    queue = queue.then(async () => {
      try {
        post({ type: 'done', id: m.id, result: await runners[m.job](m.args) });
      } catch (err) {
        post({ type: 'failed', id: m.id, error: jobError(err) });
      }
    });
  } else if (m.type === 'memory') {
    void queue.then(() => {
      post({ type: 'memory', id: m.id, ...threadMemory() });
    });
  } else if (m.type === 'dispose') {
    void queue.then(async () => {
      await models.dispose();
      post({ type: 'disposed' });
      port.close();
    });
  }
});
