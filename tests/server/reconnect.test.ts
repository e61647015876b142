// A device whose connection drops and that comes back with the same id within the grace period
// continues its session: the same windows, with the same predictions, as one uninterrupted stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import type { WindowClassifier } from '../../server/inference/har-inference.js';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

/**
 * Probabilities computed from the window's content (so different windows get different answers),
 * 20 ms per batch so that predictions trail behind the frames, as on a busy server.
 */
function contentClassifier(): WindowClassifier {
  return {
    classes: ACTIVITIES,
    windowSize: 128,
    hop: 64,
    rateHz: 50,
    predict(windows: Float32Array, n: number) {
      const until = performance.now() + 20;
      while (performance.now() < until);
      const c = ACTIVITIES.length;
      const out = new Float32Array(n * c);
      for (let w = 0; w < n; w++) {
        let sum = 0;
        for (let k = 0; k < c; k++) {
          const v = Math.exp(windows[w * 384 + k * 60]! * 3 + windows[w * 384 + 383 - k]!);
          out[w * c + k] = v;
          sum += v;
        }
        for (let k = 0; k < c; k++) out[w * c + k]! /= sum;
      }
      return out;
    },
    dispose() {},
  };
}

const hello = (deviceId: string) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g', hasLabels: true });
const summary = (ms: Record<string, unknown>[]) => ms.map((p) => ({ windowEnd: p.windowEnd, probs: p.probs, label: p.label, truth: p.truth }));

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ reconnectGraceMs: 1500, pipeline: { reorderWaitMs: 50 }, batching: { maxBatch: 2, maxDelayMs: 2, maxQueue: 256 } }, { classifier: contentClassifier() });
});
afterAll(() => srv?.close());

describe('reconnecting devices', () => {
  const rec = labelledRecording([
    ['walking', 10],
    ['standing', 8],
  ]);
  const frames = toFrames(rec, 25);
  const half = Math.floor(frames.length / 2);
  const windows = Math.floor((rec.t.length - 128) / 64) + 1;

  it('resume their windows: the same predictions as an uninterrupted stream, none lost or repeated', async () => {
    const steady = await TestClient.connect(srv.wsUrl('/ws/device'));
    steady.send(hello('steady'));
    await steady.count('welcome', 1);
    for (const f of frames) steady.send(f);
    const reference = summary(await steady.count('prediction', windows));

    const first = await TestClient.connect(srv.wsUrl('/ws/device'));
    first.send(hello('flaky'));
    const [welcome] = await first.count('welcome', 1);
    expect(welcome!.resumed).toBeUndefined();
    for (const f of frames.slice(0, half)) first.send(f);
    await first.count('prediction', 1);
    first.ws.terminate(); // the link drops (no close frame), with windows still being classified
    await first.closed;

    // The server may have written predictions into the dying socket: say which one arrived last.
    const lastWindowEnd = first.of('prediction').at(-1)!.windowEnd;
    const second = await TestClient.connect(srv.wsUrl('/ws/device'));
    second.send({ ...hello('flaky'), lastWindowEnd });
    const [again] = await second.count('welcome', 1);
    expect(again!.resumed).toBe(true);
    // A new connection numbers its frames from 0 again.
    for (const [i, f] of frames.slice(half).entries()) second.send({ ...f, seq: i });
    await second.until((ms) => first.of('prediction').length + ms.filter((m) => m.type === 'prediction').length >= windows, 20_000, 'all windows');
    await sleep(200);
    const joined = summary([...first.of('prediction'), ...second.of('prediction')]);
    expect(joined).toEqual(reference);
    expect(second.of('error')).toEqual([]);
    expect(first.of('prediction').length).toBeLessThan(windows / 2); // some were re-sent or held for the return
    await Promise.all([steady.close(), second.close()]);
  });

  it('start over after the grace period, or after closing cleanly', async () => {
    const a = await TestClient.connect(srv.wsUrl('/ws/device'));
    a.send(hello('late-comer'));
    await a.count('welcome', 1);
    for (const f of frames.slice(0, 4)) a.send(f);
    await sleep(100);
    a.ws.terminate();
    await sleep(1800); // > reconnectGraceMs
    const b = await TestClient.connect(srv.wsUrl('/ws/device'));
    b.send(hello('late-comer'));
    expect((await b.count('welcome', 1))[0]!.resumed).toBeUndefined();
    await b.close(); // a clean close: the session ends at once
    await sleep(50);
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    c.send(hello('late-comer'));
    expect((await c.count('welcome', 1))[0]!.resumed).toBeUndefined();
    await c.close();
  });

  it('still refuses a second connection while the first is open, and a changed stream is not resumed', async () => {
    const a = await TestClient.connect(srv.wsUrl('/ws/device'));
    a.send(hello('twin'));
    await a.count('welcome', 1);
    const b = await TestClient.connect(srv.wsUrl('/ws/device'));
    b.send(hello('twin'));
    await b.until((ms) => ms.some((m) => m.type === 'error'), 5000, 'id-in-use');
    expect(b.of('error')[0]).toMatchObject({ code: 'id-in-use' });
    a.ws.terminate();
    await a.closed;
    await sleep(100); // the server notices the dropped link
    b.send({ ...hello('twin'), rateHz: 100 }); // same id, different rate: a new stream
    expect((await b.count('welcome', 1))[0]!.resumed).toBeUndefined();
    await b.close();
  });
});
