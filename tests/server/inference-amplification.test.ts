// Issue 13, finding 1: one device must not be able to flood the shared inference queue.
// - A frame of 2,000 samples 499 ms apart used to become ~780 windows (the resampler filled every
//   gap), so four such frames filled the global queue and every other device got `overloaded`.
// - Rate-limit buckets belonged to the connection: a reconnect refilled them.
// - The batcher was first come, first served: a device with a backlog took whole batches and the
//   whole queue.
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import type { WindowClassifier } from '../../server/inference/har-inference.js';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

/** Marks a neighbour's windows: its x axis is held at this value (hostile devices never send it). */
const NEIGHBOUR_X = 0.777;

/**
 * A classifier in "another thread": each batch resolves after `batchMs`, so the queue drains
 * slowly and stays full as long as a flood lasts. Counts the windows of each batch that came
 * from the neighbour (x = NEIGHBOUR_X) and from others.
 */
function slowAsyncClassifier(batchMs: number, batches: { neighbour: number; others: number }[]): WindowClassifier {
  return {
    classes: ACTIVITIES,
    windowSize: 128,
    hop: 64,
    rateHz: 50,
    concurrent: true,
    predict(windows: Float32Array, n: number) {
      let neighbour = 0;
      for (let w = 0; w < n; w++) if (Math.abs(windows[w * 384]! - NEIGHBOUR_X) < 1e-4) neighbour++;
      batches.push({ neighbour, others: n - neighbour });
      const out = new Float32Array(n * ACTIVITIES.length).fill(1 / ACTIVITIES.length);
      return new Promise<Float32Array>((resolve) => setTimeout(() => resolve(out), batchMs));
    },
    dispose() {},
  };
}

/** A frame whose samples are `spacing(i)` ms apart. */
function spacedFrame(seq: number, t0: number, n: number, spacing: (i: number) => number) {
  const t: number[] = [];
  let now = t0;
  for (let i = 0; i < n; i++) {
    t.push(now);
    now += spacing(i);
  }
  return { type: 'samples', seq, t, x: t.map(() => 0.1), y: t.map(() => 0.9), z: t.map(() => 0.2) };
}

/** A well-behaved 50 Hz device: `windows` windows' worth of samples, one window completed per frame. */
function neighbourFrames(windows: number) {
  const rec = labelledRecording([['walking', (128 + 64 * (windows - 1)) / 50]]);
  rec.x.fill(NEIGHBOUR_X);
  return toFrames(rec, 64, false);
}

async function helloed(srv: TestServer, deviceId: string): Promise<TestClient> {
  const c = await TestClient.connect(srv.wsUrl('/ws/device'));
  c.send({ type: 'hello', deviceId, rateHz: 50, units: 'g' });
  await c.count('welcome', 1);
  return c;
}

const windowsSubmitted = (srv: TestServer) => {
  const s = srv.server.parts.inference.stats();
  return s.completed + s.failed + s.overloaded + s.queueDepth;
};

/**
 * The neighbour streams one window per `everyMs` while the hostile device's windows are being
 * classified; it must lose none of its windows.
 */
async function neighbourStreams(neighbour: TestClient, windows: number, everyMs: number): Promise<void> {
  const frames = neighbourFrames(windows);
  // The first frame holds two hops: every frame from then on completes one window.
  neighbour.send({
    ...frames[0]!,
    t: [...(frames[0]!.t as number[]), ...(frames[1]!.t as number[])],
    x: [...(frames[0]!.x as number[]), ...(frames[1]!.x as number[])],
    y: [...(frames[0]!.y as number[]), ...(frames[1]!.y as number[])],
    z: [...(frames[0]!.z as number[]), ...(frames[1]!.z as number[])],
  });
  for (let i = 2; i < frames.length; i++) {
    await sleep(everyMs);
    neighbour.send({ ...frames[i]!, seq: i - 1 });
  }
  await neighbour.until((ms) => ms.filter((m) => m.type === 'prediction' || m.type === 'error').length >= windows, 30_000, `${windows} answers`);
}

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('inference amplification', () => {
  it('four frames of 2,000 samples 499 ms apart do not flood the queue: the neighbour gets no overloaded', async () => {
    const batches: { neighbour: number; others: number }[] = [];
    srv = await startTestServer({}, { classifier: slowAsyncClassifier(200, batches) });
    const hostile = await helloed(srv, 'hostile');
    const neighbour = await helloed(srv, 'neighbour');
    // 4 x 2,000 samples: exactly the default sample burst (8,000), so the rate limit lets them through.
    for (let seq = 0; seq < 4; seq++) hostile.send(spacedFrame(seq, 1_000_000 + seq * 2000 * 499, 2000, () => 499));
    await sleep(20);
    await neighbourStreams(neighbour, 6, 50);

    expect(neighbour.of('error')).toEqual([]);
    expect(neighbour.of('prediction')).toHaveLength(6);
    // 8,000 samples can never cost more windows than a well-behaved device sending them at its
    // declared 50 Hz (125), give or take the gap allowance (~780 per frame before the fix).
    expect(windowsSubmitted(srv) - 6).toBeLessThanOrEqual((2 * 8000) / 64);
    await hostile.close();
    await neighbour.close();
  });

  it('gaps hidden among short intervals (the implied-rate check passes) cannot multiply the input either', async () => {
    const batches: { neighbour: number; others: number }[] = [];
    srv = await startTestServer({}, { classifier: slowAsyncClassifier(200, batches) });
    const hostile = await helloed(srv, 'hostile');
    const neighbour = await helloed(srv, 'neighbour');
    // Every other interval is 1 ms: half of them look like a fast device, half are 499 ms gaps.
    const spacing = (i: number) => (i % 2 === 0 ? 1 : 499);
    for (let seq = 0; seq < 4; seq++) hostile.send(spacedFrame(seq, 1_000_000 + seq * 1000 * 500, 2000, spacing));
    await sleep(20);
    await neighbourStreams(neighbour, 6, 50);

    expect(neighbour.of('error')).toEqual([]);
    expect(neighbour.of('prediction')).toHaveLength(6);
    const hostileWindows = windowsSubmitted(srv) - 6;
    expect(hostileWindows).toBeLessThanOrEqual((2 * 8000) / 64); // ~1,560 before the fix
    await hostile.close();
    await neighbour.close();
  });

  it('a device with a large backlog takes its share of the queue and batches, not all of them', async () => {
    const batches: { neighbour: number; others: number }[] = [];
    srv = await startTestServer(
      { batching: { maxBatch: 8, maxDelayMs: 5, maxQueue: 32 }, rateLimit: { samplesPerSec: 1e5, burstSamples: 1e5, errorsPerSec: 1000 } },
      { classifier: slowAsyncClassifier(100, batches) },
    );
    const backlog = await helloed(srv, 'backlog');
    const neighbour = await helloed(srv, 'neighbour');
    // A device catching up on 10 minutes it held back, at a genuine 50 Hz: 31 windows per frame,
    // far more than the model serves, for as long as the neighbour streams.
    const frames = toFrames(labelledRecording([['walking', 600]]), 2000, false);
    for (const f of frames.slice(0, 4)) backlog.send(f);
    await sleep(20);
    const flood = (async () => {
      for (const f of frames.slice(4)) {
        backlog.send(f);
        await sleep(40);
      }
    })();
    await neighbourStreams(neighbour, 6, 50);
    await flood;

    expect(neighbour.of('error')).toEqual([]);
    expect(neighbour.of('prediction')).toHaveLength(6);
    expect(backlog.of('error').some((e) => e.code === 'overloaded')).toBe(true);
    // The neighbour's windows went through (batch shares are checked in tests/batching/fair-batching.test.ts).
    expect(batches.reduce((n, b) => n + b.neighbour, 0)).toBe(6);
    await backlog.close();
    await neighbour.close();
  });

  it('rate-limit buckets belong to the device id: reconnecting does not refill them', async () => {
    srv = await startTestServer({ reconnectGraceMs: 0, rateLimit: { samplesPerSec: 50, burstSamples: 1000, errorsPerSec: 100 } });
    const rec = labelledRecording([['walking', 40]]); // 2,000 samples
    const frames = toFrames(rec, 500, false);
    const first = await helloed(srv, 'refill');
    first.send(frames[0]!);
    first.send(frames[1]!); // the whole burst (1,000 samples)
    await sleep(100);
    expect(first.of('error')).toEqual([]);
    await first.close();
    await sleep(50);

    const second = await helloed(srv, 'refill');
    second.send({ ...frames[2]!, seq: 0 });
    await second.until((ms) => ms.some((m) => m.type === 'error'), 5000, 'an error');
    expect(second.of('error')[0]!.code).toBe('rate-limited');

    // Another device id has its own, full bucket.
    const other = await helloed(srv, 'other-device');
    other.send(frames[0]!);
    await sleep(200);
    expect(other.of('error')).toEqual([]);
    await second.close();
    await other.close();
  });
});

describe('Sensor Logger rate limit', () => {
  it('a stream that went idle and starts again does not get a fresh burst', async () => {
    srv = await startTestServer({ sensorLogger: { idleMs: 200 }, rateLimit: { samplesPerSec: 50, burstSamples: 1000, errorsPerSec: 100 } });
    const readings = (fromS: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: 'totalacceleration', time: String(1_700_000_000_000_000_000n + BigInt(Math.round((fromS + i / 100) * 1e9))), values: { x: 0.1, y: 9.8, z: 0.3 } }));
    const post = (payload: unknown[]) =>
      fetch(`${srv!.url}/api/sensor-logger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deviceId: 'idle-phone', payload }) }).then((r) => r.status);
    expect(await post(readings(0, 1000))).toBe(200); // the whole burst
    await sleep(400); // the stream is forgotten after 200 ms idle
    expect(srv.server.parts.registry.size).toBe(0);
    expect(await post(readings(20, 500))).toBe(429);
  });
});
