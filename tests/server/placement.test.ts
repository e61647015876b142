// The hello's placement reaches the model: every window of a device is classified with the
// placement its device announced (absent: unknown), across devices batched together, through the
// inference worker too, and dashboards see it in the device list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarClassifier } from '../../models/har/classifier.js';
import { initBackend } from '../../models/runtime/backend.js';
import { ACTIVITIES, type Placement } from '../../protocol/sensor-messages.js';
import type { WindowClassifier, WindowPlacements } from '../../server/inference/har-inference.js';
import { WorkerClassifier } from '../../server/inference/worker-classifier.js';
import { labelledRecording, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

/** Records the placement of every window it is given (undefined when the batch had none). */
function recordingClassifier(seen: (Placement | undefined)[]): WindowClassifier {
  return {
    classes: ACTIVITIES,
    windowSize: 128,
    hop: 64,
    rateHz: 50,
    predict(windows: Float32Array, n: number, placements?: WindowPlacements) {
      for (let i = 0; i < n; i++) seen.push(placements?.[i]);
      return new Float32Array(n * ACTIVITIES.length).fill(1 / ACTIVITIES.length);
    },
    dispose() {},
  };
}

const seen: (Placement | undefined)[] = [];
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ batching: { maxBatch: 8, maxDelayMs: 5, maxQueue: 256 } }, { classifier: recordingClassifier(seen) });
});
afterAll(() => srv?.close());

describe('placement', () => {
  it("classifies each device's windows with the placement of its hello (unknown when it says none)", async () => {
    const frames = toFrames(labelledRecording([['walking', 8]]), 25);
    const windows = Math.floor((8 * 50 - 128) / 64) + 1;
    const pocket = await TestClient.connect(srv.wsUrl('/ws/device'));
    const silent = await TestClient.connect(srv.wsUrl('/ws/device'));
    pocket.send({ type: 'hello', deviceId: 'in-pocket', rateHz: 50, units: 'g', placement: 'pocket' });
    silent.send({ type: 'hello', deviceId: 'says-nothing', rateHz: 50, units: 'g' });
    await Promise.all([pocket.count('welcome', 1), silent.count('welcome', 1)]);
    for (const f of frames) {
      pocket.send(f);
      silent.send(f);
    }
    await Promise.all([pocket.count('prediction', windows), silent.count('prediction', windows)]);
    expect(seen.filter((p) => p === 'pocket').length).toBe(windows);
    expect(seen.filter((p) => p === 'unknown').length).toBe(windows);
    expect(seen.length).toBe(2 * windows);

    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'subscribe', devices: '*' });
    const [list] = await dash.count('devices', 1);
    const byId = Object.fromEntries((list!.devices as { deviceId: string; placement?: string }[]).map((d) => [d.deviceId, d.placement]));
    expect(byId).toMatchObject({ 'in-pocket': 'pocket', 'says-nothing': 'unknown' });
    await Promise.all([pocket, silent, dash].map((c) => c.close()));
  });
});

describe('placement through the inference worker', () => {
  let worker: WorkerClassifier | undefined;
  let local: HarClassifier | undefined;
  beforeAll(async () => {
    await initBackend('wasm');
    worker = (await WorkerClassifier.start({ backend: 'wasm', harModel: 'trained' })).classifier;
    local = await HarClassifier.load();
  });
  afterAll(async () => {
    await worker?.dispose();
    local?.dispose();
  });

  it('gives what the model in this thread gives for the same placements', async () => {
    // Still phones, gravity along the screen normal: a placement-reading model answers differently by placement.
    const n = 4;
    const w = new Float32Array(n * 128 * 3).map((_, i) => (i % 3 === 2 ? 0.98 : 0.1));
    const placements: Placement[] = ['pocket', 'waist', 'unknown', 'pocket'];
    const remote = await worker!.predict(w, n, placements);
    const here = local!.predict(w, n, placements);
    for (let i = 0; i < here.length; i++) expect(remote[i]).toBeCloseTo(here[i]!, 5);
    expect(local!.usesPlacement).toBe(true); // the committed model reads the placement
    const k = local!.classes.length;
    expect(Array.from(here.subarray(0, k))).not.toEqual(Array.from(here.subarray(k, 2 * k)));
  });
});
