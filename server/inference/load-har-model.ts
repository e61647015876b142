// Picks the HAR classifier to serve: the committed trained model, or an untrained stand-in
// (tests, load runs, or a fresh clone without models/trained/har, with a loud warning).
import path from 'node:path';
import { HarClassifier, HAR_MODEL_NAME, ModelNotFoundError } from '../../models/har/classifier.js';
import { modelDir } from '../../models/store/model-store.js';
import type { HarModelMode } from '../config.js';
import type { ModelStatus } from '../context.js';

export interface LoadedHarModel {
  classifier: HarClassifier;
  status: ModelStatus;
  warning?: string;
}

export async function loadHarModel(mode: HarModelMode, dir?: string): Promise<LoadedHarModel> {
  const source = dir ?? modelDir(HAR_MODEL_NAME);
  if (mode === 'untrained') return untrained('untrained model requested (predictions are meaningless)');
  try {
    const classifier = await HarClassifier.load(source);
    return { classifier, status: status(classifier, true, path.relative(process.cwd(), source) || source) };
  } catch (err) {
    if (mode === 'auto' && err instanceof ModelNotFoundError) {
      return untrained(`no trained HAR model in ${source}: serving an UNTRAINED model (predictions are meaningless); train one with \`npm run train -- har\``);
    }
    throw err;
  }
}

function untrained(warning: string): LoadedHarModel {
  const classifier = HarClassifier.untrained();
  return { classifier, status: status(classifier, false), warning };
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
