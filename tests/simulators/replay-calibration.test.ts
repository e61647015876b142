// `replay --calibrate SECONDS`: which samples teach (the first SECONDS of each label the model has),
// and a replayed device calibrating on a real server: it personalises after its last calibration
// sample and its later windows come from its personal head.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarLabel, Recording } from '../../data/readers/recording.js';
import { calibrationLabels, planCalibration } from '../../simulators/replay-calibration.js';
import { replayRecording } from '../../simulators/replay-session.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

const CLASSES = ['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying'];

/** 50 Hz; each label its own gravity direction and rhythm. */
function recording(segments: [HarLabel, number][]): Recording {
  const n = segments.reduce((a, [, s]) => a + s * 50, 0);
  const rec: Recording = { id: 'person', t: new Float64Array(n), x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n), labels: [] };
  let i = 0;
  for (const [label, seconds] of segments) {
    const k = ['walking', 'sitting', 'standing', 'jogging', 'stairs'].indexOf(label ?? '') + 1;
    for (let j = 0; j < seconds * 50; j++, i++) {
      rec.t[i] = 1_000_000 + i * 20;
      rec.x[i] = Math.cos(k) + 0.3 * Math.sin((i * k) / 5);
      rec.y[i] = Math.sin(k) * 0.9;
      rec.z[i] = 0.3 * Math.cos(i / (2 + k));
      rec.labels.push(label);
    }
  }
  return rec;
}

describe('planCalibration', () => {
  it('labels the first SECONDS of each label the model has, in time order; the rest goes unlabelled', () => {
    const rec = recording([
      ['walking', 6],
      ['sitting', 20],
      ['walking', 10],
      ['jogging', 20],
      ['stairs', 15],
    ]);
    const plan = planCalibration(rec, 10, CLASSES);
    // walking: 6 s, then 4 s of the second walking part; jogging: not a class of this model.
    expect(plan.seconds).toEqual({ walking: 10, sitting: 10, stairs: 10 });
    expect(plan.end).toBe((6 + 20 + 10 + 20) * 50 + 10 * 50);
    const labels = calibrationLabels(rec, plan, 0, rec.t.length);
    expect(labels.filter((l) => l === 'walking').length).toBe(500);
    expect(labels.filter((l) => l === 'jogging').length).toBe(0);
    expect(labels[6 * 50 + 10 * 50]).toBe(''); // sitting after its first 10 s
    expect(labels[(6 + 20) * 50 + 4 * 50 - 1]).toBe('walking');
    expect(labels[(6 + 20) * 50 + 4 * 50]).toBe('');
  });
});

describe('replay with --calibrate', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimit: { samplesPerSec: 1e9, burstSamples: 1e9 }, personal: { dir: await mkdtemp(join(tmpdir(), 'sensorium-replay-personal-')) } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('personalises after the calibration samples; later windows come from the personal head', async () => {
    const rec = recording([
      ['walking', 15],
      ['sitting', 15],
      ['standing', 15],
      ['walking', 20],
      ['sitting', 20],
      ['standing', 20],
    ]);
    const result = await replayRecording(rec, { url: server.wsUrl('/ws/device'), deviceId: 'replay-person', speed: 'max', calibrateSeconds: 12 });
    expect(result.calibration?.error).toBeUndefined();
    expect(result.calibration?.fitMs).toBeGreaterThan(0);
    expect(result.calibration?.seconds).toEqual({ walking: 12, sitting: 12, standing: 12 });
    const personal = result.windows.filter((w) => w.source === 'personal' && w.truth !== undefined);
    // The second half of the recording (60 s: ~40 scored windows) is predicted by the personal head.
    expect(personal.length).toBeGreaterThan(30);
    expect(personal.filter((w) => w.label === w.truth).length / personal.length).toBeGreaterThan(0.9);
    expect(result.windows.filter((w) => w.source === 'shared').length).toBeGreaterThan(0);
  }, 60_000);
});
