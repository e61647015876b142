// The strongest plausibility check of the signal model: the HAR model, trained on real HAPT
// recordings only, recognises the synthetic phones' activities. Skipped without a trained model.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarClassifier, HAR_MODEL_NAME } from '../../models/har/classifier.js';
import { initBackend } from '../../models/runtime/backend.js';
import { modelDir } from '../../models/store/model-store.js';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';
import { scoreSyntheticPhones } from '../../simulators/tools/score-synthetic-phones.js';

const trained = existsSync(join(modelDir(HAR_MODEL_NAME), 'model.json'));

describe.skipIf(!trained)('synthetic phones seen by the trained HAR model', () => {
  it('are recognised per activity far above chance (1/6)', async () => {
    await initBackend('wasm', () => {});
    const model = await HarClassifier.load();
    try {
      const recall: Record<string, number> = {};
      for (const activity of ACTIVITIES) {
        let right = 0;
        let total = 0;
        for (let seed = 101; seed <= 106; seed++) {
          const s = new SyntheticPhone({ seed, script: [{ activity, seconds: 20 }] }).next(1000);
          const n = Math.floor((1000 - 128) / 64) + 1;
          const windows = new Float32Array(n * 128 * 3);
          for (let w = 0; w < n; w++) {
            for (let i = 0; i < 128; i++) windows.set([s.x[w * 64 + i]!, s.y[w * 64 + i]!, s.z[w * 64 + i]!], (w * 128 + i) * 3);
          }
          const probs = model.predict(windows, n, 'waist');
          const k = model.classes.length; // the model's classes, in its own order
          for (let w = 0; w < n; w++) {
            const row = Array.from(probs.subarray(w * k, w * k + k));
            if (model.classes[row.indexOf(Math.max(...row))] === activity) right++;
            total++;
          }
        }
        recall[activity] = right / total;
      }
      // Measured with the first committed model: 0.90-1.0 per class.
      for (const activity of ACTIVITIES) expect(recall[activity], `${activity}: ${JSON.stringify(recall)}`).toBeGreaterThan(0.7);
    } finally {
      model.dispose();
    }
  });

  it('are recognised in a trouser pocket too, as the geometry allows', async () => {
    await initBackend('wasm', () => {});
    const model = await HarClassifier.load();
    try {
      const { placements } = scoreSyntheticPhones(model, { phones: 6, seconds: 20, seed: 500 });
      const pocket = placements.pocket.told;
      // Measured with the first pocket model (12 phones): 0.71 (standing 1.0, jogging 1.0; sitting
      // 0.58: a phone turned far about the thigh reads seated like a crosswise phone standing;
      // lying 0: no data set has lying with a phone in a pocket). simulators/README.md has more.
      expect(pocket.accuracy, JSON.stringify(pocket.recall)).toBeGreaterThan(0.6);
      expect(pocket.recall.standing).toBeGreaterThan(0.9);
      expect(pocket.recall.jogging).toBeGreaterThan(0.9);
      expect(placements.waist.told.accuracy).toBeGreaterThan(0.85);
    } finally {
      model.dispose();
    }
  });
});
