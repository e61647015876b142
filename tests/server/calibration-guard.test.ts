// The calibration guard on the server: when the shared head already gets a device's held-out
// calibration windows right, the device keeps the shared model — its calibration-status says so
// with the held-out figures, an earlier personal head is deleted, and predictions stay 'shared'.
// DeviceCalibration with a stand-in trunk whose "features" are the window's first values.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitPersonalHead, type HeadWeights } from '../../models/har/personal-head.js';
import type { CalibrationStatusMessage } from '../../protocol/calibration-messages.js';
import type { ServerToDevice } from '../../protocol/sensor-messages.js';
import { DeviceCalibration } from '../../server/calibration/device-calibration.js';
import { PersonalModels } from '../../server/calibration/personal-models.js';
import type { WindowInference } from '../../server/inference/window-inference.js';
import type { SmoothedWindow } from '../../server/pipeline/types.js';

const CLASSES = ['walking', 'sitting'];
const F = 2;
/** Feature 0 says walking, feature 1 sitting: right on every window below. */
const SHARED: HeadWeights = { classes: CLASSES, featureSize: F, kernel: new Float32Array([2, 0, 0, 2]), bias: new Float32Array(2) };

/** Windows whose first F values are the features the stand-in trunk returns. */
function window(truth: string, i: number): Float32Array {
  const w = new Float32Array(384);
  const wiggle = 0.1 * Math.sin(i * 1.7);
  w[0] = truth === 'walking' ? 1 + wiggle : 0.1;
  w[1] = truth === 'sitting' ? 1 - wiggle : 0.1;
  return w;
}

const standIn = {
  model: { classes: ['walking', 'sitting'], windowSize: 128, hop: 64, rateHz: 50 },
  classifyWithFeatures: async (data: Float32Array) => {
    const features = data.slice(0, F);
    const z = [2 * features[0]!, 2 * features[1]!];
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    return { probs: Float32Array.from(e, (v) => v / (e[0]! + e[1]!)), features };
  },
} as unknown as WindowInference;

describe('calibration guard on the server', () => {
  it('a device whose shared model is already right keeps it: status says kept shared, an old head is deleted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sensorium-guard-'));
    const personal = new PersonalModels({ dir, maxWindowsPerLabel: 92, maxConcurrentFits: 1, maxQueuedFits: 4 }, () => SHARED);
    // An earlier personal head for this device (fitted without the guard).
    const old = await fitPersonalHead(
      SHARED,
      [...[0, 1, 2, 3].map((i) => ({ truth: 'walking', features: window('walking', i).slice(0, F) })), ...[0, 1, 2, 3].map((i) => ({ truth: 'sitting', features: window('sitting', i).slice(0, F) }))],
      { validate: false },
    );
    await personal.store.save('guard-1', old);
    const sent: ServerToDevice[] = [];
    const cal = new DeviceCalibration({ info: { deviceId: 'guard-1', rateHz: 50, units: 'g', connectedAt: 0 }, inference: standIn, personal, send: (m) => sent.push(m), log: () => {} });
    const statuses = () => sent.filter((m): m is CalibrationStatusMessage => m.type === 'calibration-status');
    const publish = async (truth: string, i: number) => {
      const data = window(truth, i);
      await cal.classify(data);
      return cal.published({ data, truth } as unknown as SmoothedWindow);
    };
    expect(await publish('walking', 99)).toBe('personal'); // the stored head was loaded
    cal.command({ action: 'start' });
    for (let i = 0; i < 12; i++) await publish('walking', i);
    for (let i = 0; i < 12; i++) await publish('sitting', i);
    cal.command({ action: 'personalise' });
    await expect.poll(() => statuses().at(-1)?.state === 'idle' && statuses().at(-1)?.fitMs !== undefined, { timeout: 10_000 }).toBe(true);
    const done = statuses().at(-1)!;
    expect(done.error).toBeUndefined();
    expect(done.personal).toBe(false);
    expect(done.head).toBeUndefined();
    expect(done.validation).toMatchObject({ kept: 'shared', mixing: 0, windows: 24, shared: { accuracy: 1 } });
    expect(await readdir(dir)).toEqual([]);
    expect(await publish('sitting', 50)).toBe('shared');
    cal.close();
  });
});
