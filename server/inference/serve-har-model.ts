// Loads the HAR model the server serves, in a worker thread when that helps (config
// inferenceWorker: 'auto' = with at least two cores and a WASM or pure-JS backend; native
// TensorFlow keeps the model in this thread) and otherwise in this thread. In 'auto', a worker
// that cannot start is reported and replaced by the in-process model; 'on' fails instead.
import { availableParallelism } from 'node:os';
import type { HarModelMode, InferenceWorkerMode } from '../config.js';
import { loadHarModel, unavailableClassifier, type LoadedHarModel } from './load-har-model.js';
import { WorkerClassifier } from './worker-classifier.js';

export interface ServedHarModel extends LoadedHarModel {
  /** Where predict() runs. */
  where: 'worker' | 'main';
}

export function wantsInferenceWorker(mode: InferenceWorkerMode, backend: string, cores = availableParallelism()): boolean {
  if (mode !== 'auto') return mode === 'on';
  return cores >= 2 && (backend === 'wasm' || backend === 'cpu');
}

export async function loadServedHarModel(
  opts: { harModel: HarModelMode; harModelDir?: string; inferenceWorker: InferenceWorkerMode },
  backend: string,
  warn: (message: string) => void,
): Promise<ServedHarModel> {
  if (wantsInferenceWorker(opts.inferenceWorker, backend)) {
    try {
      const init = opts.harModelDir === undefined ? { backend, harModel: opts.harModel } : { backend, harModel: opts.harModel, harModelDir: opts.harModelDir };
      const loaded = await WorkerClassifier.start(init, warn);
      if (loaded.unavailable !== undefined) {
        // Nothing to run: no worker kept for a model that could not load.
        await loaded.classifier.dispose();
        return { ...loaded, classifier: unavailableClassifier(loaded.unavailable), where: 'main' };
      }
      return { ...loaded, where: 'worker' };
    } catch (err) {
      if (opts.inferenceWorker === 'on') throw err;
      warn(`${err instanceof Error ? err.message : String(err)}; the HAR model runs in the main thread instead`);
    }
  }
  return { ...(await loadHarModel(opts.harModel, opts.harModelDir)), where: 'main' };
}
