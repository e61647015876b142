// Issue 13, finding 2: ground-truth labels followed the samples in a track that kept every
// frame's timestamps once one frame had labels, trimmed only when the resampler emitted. Frames
// whose timestamps go backwards are dropped by the resampler (it emits nothing), so a device
// sending them grew the server's memory for as long as its session lasted.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startTestServer, TestClient, type TestServer } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 2 ** 20;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

const N = 2000;
/** A labelled 50 Hz frame starting at t0 (timestamps ascending within the frame). */
function labelledFrame(seq: number, t0: number) {
  const t = new Array<number>(N);
  const labels = new Array<string>(N);
  for (let i = 0; i < N; i++) {
    t[i] = t0 + i * 20;
    labels[i] = i % 2 ? 'walking' : 'standing';
  }
  const v = new Array<number>(N).fill(0.5);
  return { type: 'samples', seq, t, x: v, y: v, z: v, labels };
}

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ rateLimit: { samplesPerSec: 1e9, burstSamples: 1e9, framesPerSec: 1e6, errorsPerSec: 1000 } });
});
afterAll(() => srv?.close());

describe('label tracking', () => {
  it('frames going backwards in time do not grow the server memory', async () => {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'), 'msgpack');
    c.send({ type: 'hello', deviceId: 'backwards', rateHz: 50, units: 'g', hasLabels: true });
    await c.count('welcome', 1);
    const start = 1e12;
    const framesAtStart = srv.server.parts.stats.totals().frames + 1;
    c.send(labelledFrame(0, start)); // the newest samples come first…
    const frames = 400; // …then 800,000 labelled samples, each frame 100 s earlier than the one before
    while (srv.server.parts.stats.totals().frames < framesAtStart) await sleep(20);
    const before = await heapAfterGc();
    for (let seq = 1; seq <= frames; seq++) {
      c.send(labelledFrame(seq, start - seq * 100_000));
      if (seq % 50 === 0) await sleep(10);
    }
    const deadline = Date.now() + 60_000;
    while (srv.server.parts.stats.totals().frames < framesAtStart + frames && Date.now() < deadline) await sleep(50);
    expect(srv.server.parts.stats.totals().frames).toBe(framesAtStart + frames);
    await sleep(100);
    const grown = (await heapAfterGc()) - before;
    expect(c.of('error')).toEqual([]);
    // 800,000 timestamps and labels held would be > 12 MB.
    expect(grown).toBeLessThan(4 * MB);
    await c.close();
  });
});
