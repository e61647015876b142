// An untrained HAR model saved to a fresh temporary folder, as the eval CLIs load a committed one
// (the tests that run those CLIs need a model but not a trained one).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarClassifier } from '../../models/har/classifier.js';
import { HAR_FEATURES } from '../../models/har/features.js';
import { saveModel } from '../../models/store/model-store.js';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';

export async function saveUntrainedHarModel(seed: number, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const clf = HarClassifier.untrained(seed);
  await saveModel(clf.layersModel, dir, {
    name: 'har',
    kind: 'har-cnn',
    classes: [...ACTIVITIES],
    input: { shape: [128, 3], hop: 64, rateHz: 50, units: 'g', features: [...HAR_FEATURES] },
  });
  clf.dispose();
  return dir;
}
