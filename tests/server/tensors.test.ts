// Long-running inference must not leak tensors: numTensors stays flat over many predictions,
// with the model in this thread and in the inference worker (whose tfjs memory is its own).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerClassifier } from '../../server/inference/worker-classifier.js';
import { labelledRecording, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

describe.each(['off', 'on'] as const)('tensor memory (inference worker %s)', (inferenceWorker) => {
  let srv: TestServer;
  beforeAll(async () => {
    // Whole recordings arrive at once: room for all their windows in the queue.
    srv = await startTestServer({ inferenceWorker, rateLimit: { samplesPerSec: 1e6, burstSamples: 1e6, errorsPerSec: 20 }, batching: { maxQueue: 4096 } });
  });
  afterAll(async () => {
    await srv?.close();
  });

  async function stream(deviceId: string, seconds: number, startMs: number): Promise<number> {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'), deviceId.endsWith('b') ? 'msgpack' : 'json');
    c.send({ type: 'hello', deviceId, rateHz: 50, units: 'g', hasLabels: true });
    await c.count('welcome', 1);
    const rec = labelledRecording(
      [
        ['walking', seconds / 2],
        ['lying', seconds / 2],
      ],
      50,
      startMs,
    );
    for (const f of toFrames(rec, 100)) c.send(f);
    const expected = Math.floor((rec.t.length - 128) / 64) + 1;
    await c.until((ms) => ms.filter((m) => m.type === 'prediction' || m.type === 'error').length >= expected, 50_000, `${expected} predictions`);
    expect(c.of('error')).toEqual([]);
    await c.close();
    return expected;
  }

  /** Tensors of the runtime that runs the model. */
  async function tensors(): Promise<number> {
    const c = srv.server.parts.harInference!.classifier;
    return c instanceof WorkerClassifier ? (await c.memory()).numTensors : tf.memory().numTensors;
  }

  it('numTensors is the same after hundreds of predictions as after the first', async () => {
    expect(srv.server.parts.harInference!.classifier instanceof WorkerClassifier).toBe(inferenceWorker === 'on');
    await stream('warmup', 10, 0);
    const before = await tensors();
    const counts = await Promise.all([stream('leak-a', 240, 0), stream('leak-b', 240, 0), stream('leak-c', 240, 0)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
    expect(await tensors()).toBe(before);
    expect(srv.server.parts.inference.stats().meanBatch).toBeGreaterThan(1); // concurrent devices shared batches
  });
});
