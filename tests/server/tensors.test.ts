// Long-running inference must not leak tensors: numTensors stays flat over many predictions.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelledRecording, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  // Whole recordings arrive at once: room for all their windows in the queue.
  srv = await startTestServer({ rateLimit: { samplesPerSec: 1e6, burstSamples: 1e6, errorsPerSec: 20 }, batching: { maxQueue: 4096 } });
});
afterAll(async () => {
  await srv?.close();
});

async function stream(deviceId: string, seconds: number, startMs: number): Promise<number> {
  const c = await TestClient.connect(srv.wsUrl('/ws/device'), deviceId.endsWith('b') ? 'msgpack' : 'json');
  c.send({ type: 'hello', deviceId, rateHz: 50, units: 'g', hasLabels: true });
  await c.count('welcome', 1);
  const rec = labelledRecording([['walking', seconds / 2], ['lying', seconds / 2]], 50, startMs);
  for (const f of toFrames(rec, 100)) c.send(f);
  const expected = Math.floor((rec.t.length - 128) / 64) + 1;
  await c.until((ms) => ms.filter((m) => m.type === 'prediction' || m.type === 'error').length >= expected, 50_000, `${expected} predictions`);
  expect(c.of('error')).toEqual([]);
  await c.close();
  return expected;
}

describe('tensor memory', () => {
  it('numTensors is the same after hundreds of predictions as after the first', async () => {
    await stream('warmup', 10, 0);
    const before = tf.memory().numTensors;
    const counts = await Promise.all([stream('leak-a', 240, 0), stream('leak-b', 240, 0), stream('leak-c', 240, 0)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
    expect(tf.memory().numTensors).toBe(before);
    expect(srv.server.ctx.inference.stats().meanBatch).toBeGreaterThan(1); // concurrent devices shared batches
  });
});
