// When inference cannot keep up, devices get `overloaded` errors for the windows dropped, the
// queue stays bounded, and the server keeps answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import type { WindowClassifier } from '../../server/inference/har-inference.js';
import { labelledRecording, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

/** A classifier that takes 30 ms per batch (blocking, like a real model call) and records batch sizes. */
function slowClassifier(batches: number[]): WindowClassifier {
  return {
    classes: ACTIVITIES,
    windowSize: 128,
    hop: 64,
    rateHz: 50,
    predict(windows: Float32Array, n: number) {
      batches.push(n);
      const until = performance.now() + 30;
      while (performance.now() < until);
      return new Float32Array(n * ACTIVITIES.length).fill(1 / ACTIVITIES.length);
    },
    dispose() {},
  };
}

const batches: number[] = [];
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(
    { batching: { maxBatch: 4, maxDelayMs: 5, maxQueue: 8 }, rateLimit: { samplesPerSec: 1e6, burstSamples: 1e6, errorsPerSec: 1000 } },
    { classifier: slowClassifier(batches) },
  );
});
afterAll(async () => {
  await srv?.close();
});

describe('overload', () => {
  it('drops windows beyond the queue bound with overloaded errors, never more than maxBatch per call', async () => {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    c.send({ type: 'hello', deviceId: 'firehose', rateHz: 50, units: 'g' });
    await c.count('welcome', 1);
    const rec = labelledRecording([['walking', 120]]); // 92 windows arriving at once
    for (const f of toFrames(rec, 1000, false)) c.send(f);
    const windows = Math.floor((rec.t.length - 128) / 64) + 1;
    await c.until((ms) => ms.filter((m) => m.type === 'prediction' || m.type === 'error').length >= windows, 30_000, 'an answer per window');
    const overloaded = c.of('error').filter((e) => e.code === 'overloaded');
    expect(overloaded.length).toBeGreaterThan(0);
    expect(c.of('prediction').length + overloaded.length).toBe(windows);
    expect(overloaded[0]!.message).toMatch(/inference queue is full/);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    // What is accepted is served promptly: at most the 8 queued windows (2 batches of 30 ms) and the
    // running batch stand before a window, so the queue bound bounds its latency (with room for a slow machine).
    const latencies = c.of('prediction').map((p) => p.latencyMs as number);
    expect(Math.max(...latencies)).toBeLessThan(400);
    const health = await fetch(`${srv.url}/api/health`).then((r) => r.json());
    expect(health.inference.overloaded).toBe(overloaded.length);
    expect(health.inference.queueDepth).toBeLessThanOrEqual(8);
    await c.close();
  });
});
