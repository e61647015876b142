// Picks the HAR classifier to serve: the committed trained model, or an untrained stand-in
// (tests, load runs, or — in 'auto' mode — a fresh clone without models/trained/har, with a loud
// warning). A model that exists but cannot be loaded (corrupt files, wrong shape) is never
// replaced by the untrained one: the server starts without HAR (devices are refused with
// 'model-unavailable', /api/health says why) and its other services keep serving. So does a
// missing model in 'trained' mode (production).
import path from 'node:path';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { HarClassifier, HAR_MODEL_NAME, ModelNotFoundError } from '../../models/har/classifier.js';
import { HAR_HOP, HAR_RATE_HZ, HAR_WINDOW } from '../../models/har/model.js';
import { modelDir } from '../../models/store/model-store.js';
import type { HarModelMode } from '../config.js';
import type { ModelStatus } from '../model-status.js';
import type { WindowClassifier } from './har-inference.js';

export interface LoadedHarModel {
  classifier: WindowClassifier;
  status: ModelStatus;
  warning?: string;
  /** Set when no model could be loaded: why (devices are refused). */
  unavailable?: string;
}

export async function loadHarModel(mode: HarModelMode, dir?: string): Promise<LoadedHarModel> {
  const source = dir ?? modelDir(HAR_MODEL_NAME);
  const shown = path.relative(process.cwd(), source) || source;
  if (mode === 'untrained') return untrained('untrained model requested (predictions are meaningless)');
  try {
    const classifier = await HarClassifier.load(source);
    return { classifier: await readAsync(classifier), status: status(classifier, true, shown) };
  } catch (err) {
    const missing = err instanceof ModelNotFoundError;
    if (mode === 'auto' && missing) {
      return untrained(`no trained HAR model in ${source}: serving an UNTRAINED model (predictions are meaningless); train one with \`npm run train -- har\``);
    }
    const reason = missing
      ? `no trained HAR model in ${shown} (train one with \`npm run train -- har\`)`
      : `the HAR model in ${shown} could not be loaded: ${err instanceof Error ? err.message : String(err)}`;
    return {
      classifier: unavailableClassifier(reason),
      status: { name: HAR_MODEL_NAME, loaded: false, trained: false, source: shown, error: reason },
      unavailable: reason,
      warning: `${reason}; devices will be refused with 'model-unavailable' (the other services keep serving)`,
    };
  }
}

async function untrained(warning: string): Promise<LoadedHarModel> {
  const classifier = HarClassifier.untrained();
  return { classifier: await readAsync(classifier), status: status(classifier, false), warning };
}

/**
 * The classifier as served: results read with data(), never dataSync(), so a GPU backend computes
 * while the event loop goes on (webgpu cannot read synchronously in Node at all). The shared head
 * is read once here; the served model's weights never change.
 */
async function readAsync(c: HarClassifier): Promise<WindowClassifier> {
  const head = await c.headWeightsAsync();
  return {
    classes: c.classes,
    windowSize: c.windowSize,
    hop: c.hop,
    rateHz: c.rateHz,
    predict: (windows, n, placements) => c.predictAsync(windows, n, placements),
    predictWithFeatures: (windows, n, placements) => c.predictWithFeaturesAsync(windows, n, placements),
    headWeights: () => ({ ...head, classes: [...head.classes], kernel: head.kernel.slice(), bias: head.bias.slice() }),
    dispose: () => c.dispose(),
  };
}

/** Shapes of the HAR model for protocol messages; classifying fails with the reason. */
export function unavailableClassifier(reason: string): WindowClassifier {
  return {
    classes: ACTIVITIES,
    windowSize: HAR_WINDOW,
    hop: HAR_HOP,
    rateHz: HAR_RATE_HZ,
    predict: () => {
      throw new Error(`HAR model unavailable: ${reason}`);
    },
    dispose: () => {},
  };
}

function status(c: HarClassifier, trained: boolean, source?: string): ModelStatus {
  const s: ModelStatus = {
    name: HAR_MODEL_NAME,
    loaded: true,
    trained,
    details: { classes: [...c.classes], windowSize: c.windowSize, hop: c.hop, rateHz: c.rateHz },
  };
  if (source !== undefined) s.source = source;
  return s;
}
