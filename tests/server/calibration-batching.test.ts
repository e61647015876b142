// Dynamic batching with personal heads: windows of personalised and shared devices share model
// calls (the trunk stays batched), and each device gets its own result — its personal head over
// its own window's features, or the shared probabilities.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHead, headFingerprint, type HeadWeights, type PersonalHead } from '../../models/har/personal-head.js';
import { DeviceCalibration } from '../../server/calibration/device-calibration.js';
import { PersonalModels } from '../../server/calibration/personal-models.js';
import { DEFAULT_CONFIG } from '../../server/config.js';
import { HarInference, type BatchResult, type WindowClassifier } from '../../server/inference/har-inference.js';
import type { DeviceInfo, ServerToDevice } from '../../protocol/sensor-messages.js';
import type { SmoothedWindow } from '../../server/pipeline/types.js';

const CLASSES = ['walking', 'sitting', 'standing'];
const F = 4;
const WINDOW = 8;

/** A stand-in network: features are the window's first F values; its head is the identity-ish SHARED. */
const SHARED: HeadWeights = { classes: CLASSES, featureSize: F, kernel: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]), bias: new Float32Array(3) };

function standIn(calls: number[]): WindowClassifier {
  return {
    classes: CLASSES,
    windowSize: WINDOW,
    hop: 4,
    rateHz: 50,
    predict: () => {
      throw new Error('the server asks for features');
    },
    predictWithFeatures(windows: Float32Array, n: number): BatchResult {
      calls.push(n);
      const features = new Float32Array(n * F);
      const probs = new Float32Array(n * CLASSES.length);
      for (let i = 0; i < n; i++) {
        features.set(windows.subarray(i * WINDOW * 3, i * WINDOW * 3 + F), i * F);
        applyHead(SHARED, features.subarray(i * F, (i + 1) * F), probs.subarray(i * 3, (i + 1) * 3));
      }
      return { probs, features, featureSize: F };
    },
    headWeights: () => SHARED,
    dispose: () => {},
  };
}

/** A personal head that swaps walking and sitting. */
function swapped(): PersonalHead {
  return {
    ...SHARED,
    kernel: new Float32Array([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0]),
    bias: new Float32Array(3),
    sharedFingerprint: headFingerprint(SHARED),
    calibrated: CLASSES,
    windows: { walking: 3, sitting: 3, standing: 3 },
    trainAccuracy: 1,
    fittedAt: new Date(0).toISOString(),
  };
}

const window = (seed: number) => new Float32Array(WINDOW * 3).map((_, i) => Math.sin(seed * 7.3 + i));

describe('batching with personal heads', () => {
  it('mixed batches: each device gets its own head over its own features', async () => {
    const calls: number[] = [];
    const inference = new HarInference(standIn(calls), { maxBatch: 16, maxDelayMs: 5, maxQueue: 256 });
    const personal = new PersonalModels({ ...DEFAULT_CONFIG.personal, dir: await mkdtemp(join(tmpdir(), 'sensorium-batching-')) }, () => SHARED);
    await personal.store.save('personal-phone', swapped());
    const device = (deviceId: string) => {
      const info: DeviceInfo = { deviceId, rateHz: 50, units: 'g', connectedAt: 0 };
      const sent: ServerToDevice[] = [];
      return { info, sent, calibration: new DeviceCalibration({ info, inference, personal, send: (m) => sent.push(m), log: () => {} }) };
    };
    const a = device('personal-phone');
    const b = device('shared-phone');
    // Interleaved windows of both devices, submitted together: they share batches.
    const windows = Array.from({ length: 12 }, (_, i) => window(i));
    const results = await Promise.all(windows.map((w, i) => (i % 2 === 0 ? a : b).calibration.classify(w)));
    expect(calls.length).toBeLessThan(windows.length);
    expect(Math.max(...calls)).toBeGreaterThan(1);
    const head = swapped();
    windows.forEach((w, i) => {
      const features = w.subarray(0, F);
      const expected = i % 2 === 0 ? applyHead(head, features, new Float32Array(3)) : applyHead(SHARED, features, new Float32Array(3));
      expect(Array.from(results[i]!)).toEqual(Array.from(expected));
      const source = (i % 2 === 0 ? a : b).calibration.published({ data: w, truth: undefined } as unknown as SmoothedWindow);
      expect(source).toBe(i % 2 === 0 ? 'personal' : 'shared');
    });
    expect(a.info.personal).toBe(true);
    expect(b.info.personal).toBeUndefined();
    expect(a.sent.at(-1)).toMatchObject({ type: 'calibration-status', personal: true });
    await inference.close();
  });
});
