// The /ws/device protocol over a real server on loopback, with real ws clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { resampleSeries } from '../../data/signal/resampler.js';
import { ACTIVITIES, DEFAULT_LIMITS } from '../../protocol/sensor-messages.js';
import { labelledRecording, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ pipeline: { reorderWaitMs: 50 } });
});
afterAll(async () => {
  await srv?.close();
});

const hello = (deviceId: string, extra: Record<string, unknown> = {}) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g', hasLabels: true, ...extra });

/** Windows the server must produce for a gap-free recording: resample to 50 Hz, then 128/64. */
function expectedWindows(t: number[]): number {
  const n = resampleSeries({ t, x: new Float32Array(t.length), y: new Float32Array(t.length), z: new Float32Array(t.length) }, 50).t.length;
  return n < 128 ? 0 : Math.floor((n - 128) / 64) + 1;
}

describe.each(['json', 'msgpack'] as const)('a replay with labels over %s', (encoding) => {
  it('gets a welcome, one prediction per window with truth and latency, in order', async () => {
    const client = await TestClient.connect(srv.wsUrl('/ws/device'), encoding);
    client.send(hello(`replay-${encoding}`, { source: 'replay' }));
    const [welcome] = await client.count('welcome', 1);
    expect(welcome).toMatchObject({ deviceId: `replay-${encoding}`, classes: [...ACTIVITIES], windowSize: 128, hop: 64, rateHz: 50, backend: 'wasm', limits: DEFAULT_LIMITS });

    const rec = labelledRecording([
      ['walking', 12],
      ['sitting', 12],
    ]);
    const frames = toFrames(rec, 25);
    for (const f of frames) client.send(encoding === 'msgpack' ? { ...f, t: Float64Array.from(f.t as number[]), x: Float32Array.from(f.x as number[]) } : f);
    const expected = expectedWindows(rec.t);
    expect(expected).toBe(17); // 24 s at 50 Hz
    const predictions = await client.count('prediction', expected);
    await new Promise((r) => setTimeout(r, 200));
    expect(client.of('prediction')).toHaveLength(expected); // no extra ones
    expect(client.of('error')).toEqual([]);

    const ends = predictions.map((p) => p.windowEnd as number);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    expect(ends[0]).toBe(rec.t[127]);
    for (const p of predictions) {
      expect(p.deviceId).toBe(`replay-${encoding}`);
      expect(p.probs).toHaveLength(ACTIVITIES.length);
      expect((p.probs as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
      expect(ACTIVITIES).toContain(p.label);
      expect(p.latencyMs).toBeGreaterThanOrEqual(0);
      expect(p.latencyMs).toBeLessThan(10_000);
    }
    const truths = predictions.map((p) => p.truth);
    expect(truths.filter((t) => t === 'walking').length).toBeGreaterThanOrEqual(6);
    expect(truths.filter((t) => t === 'sitting').length).toBeGreaterThanOrEqual(6);
    expect(truths.filter((t) => t === undefined).length).toBeGreaterThanOrEqual(1); // windows straddling the change
    await client.close();
  });
});

describe('protocol errors', () => {
  it('answers samples before hello, unknown types, bad JSON and a second hello with typed errors', async () => {
    const client = await TestClient.connect(srv.wsUrl('/ws/device'));
    client.send({ type: 'samples', seq: 0, t: [0], x: [0], y: [0], z: [1] });
    client.sendRaw('{"type": "hello", oops');
    client.send({ type: 'bogus' });
    client.send([1, 2, 3]);
    client.send(hello('errors-1'));
    client.send(hello('errors-1'));
    await client.count('error', 5);
    expect(client.of('error').map((e) => e.code)).toEqual(['not-hello', 'bad-frame', 'invalid', 'invalid', 'duplicate-hello']);
    expect(client.of('error')[1]!.message).toMatch(/JSON frame could not be decoded/);
    expect(client.of('welcome')).toHaveLength(1);
    await client.close();
  });

  it('rejects an invalid hello with the reason and accepts a corrected one on the same socket', async () => {
    const client = await TestClient.connect(srv.wsUrl('/ws/device'));
    client.send(hello('ok-id', { rateHz: 1000 }));
    await client.count('error', 1);
    expect(client.of('error')[0]).toMatchObject({ code: 'out-of-range', message: expect.stringMatching(/rateHz must be between 10 and 200/) });
    client.send(hello('ok-id'));
    await client.count('welcome', 1);
    await client.close();
  });

  it('refuses a deviceId that is already streaming', async () => {
    const first = await TestClient.connect(srv.wsUrl('/ws/device'));
    first.send(hello('twin'));
    await first.count('welcome', 1);
    const second = await TestClient.connect(srv.wsUrl('/ws/device'), 'msgpack');
    second.send(hello('twin'));
    await second.count('error', 1);
    expect(second.of('error')[0]).toMatchObject({ code: 'id-in-use' });
    await first.close();
    // Once the first left, the id is free again.
    await new Promise((r) => setTimeout(r, 100));
    second.send(hello('twin'));
    await second.count('welcome', 1);
    await second.close();
  });

  it('answers a bad samples frame with its seq and the reason', async () => {
    const client = await TestClient.connect(srv.wsUrl('/ws/device'));
    client.send(hello('bad-samples', { units: 'm/s2' }));
    await client.count('welcome', 1);
    client.send({ type: 'samples', seq: 0, t: [0, 20, 10], x: [0, 0, 0], y: [0, 0, 0], z: [9.8, 9.8, 9.8] });
    client.send({ type: 'samples', seq: 1, t: [40, 60], x: [0, 0, 0], y: [0, 0], z: [9.8, 9.8] });
    client.send({ type: 'samples', seq: 2, t: [80], x: [1e6], y: [0], z: [9.8] });
    client.send({ type: 'samples', seq: 3, t: Array.from({ length: 2001 }, (_, i) => i), x: [], y: [], z: [] });
    await client.count('error', 4);
    expect(client.of('error').map((e) => [e.code, e.seq])).toEqual([
      ['invalid', 0],
      ['invalid', 1],
      ['out-of-range', 2],
      ['too-many-samples', 3],
    ]);
    expect(client.of('error')[1]!.message).toMatch(/same length/);
    await client.close();
  });

  it('says when a frame comes too late to be put back in order', async () => {
    const client = await TestClient.connect(srv.wsUrl('/ws/device'));
    client.send(hello('late-frames'));
    await client.count('welcome', 1);
    const frame = (seq: number) => ({ type: 'samples', seq, t: [seq * 100, seq * 100 + 50], x: [0, 0], y: [0, 0], z: [1, 1] });
    client.send(frame(0));
    client.send(frame(2)); // seq 1 is missing: frame 2 waits reorderWaitMs (50 ms here), then goes on
    await new Promise((r) => setTimeout(r, 150));
    client.send(frame(1));
    client.send(frame(2));
    await client.count('error', 2);
    expect(client.of('error').map((e) => [e.code, e.seq])).toEqual([
      ['out-of-range', 1],
      ['out-of-range', 2],
    ]);
    expect(client.of('error')[0]!.message).toMatch(/seq 1 is older than frames already processed/);
    expect(client.of('error')[1]!.message).toMatch(/seq 2 is older than frames already processed \(late or repeated\)/);
    await client.close();
  });

  it('closes the socket with 1009 for a frame above maxFrameBytes', async () => {
    const small = await startTestServer({ limits: { ...DEFAULT_LIMITS, maxFrameBytes: 4096 } });
    try {
      const client = await TestClient.connect(small.wsUrl('/ws/device'));
      client.send(hello('big'));
      await client.count('welcome', 1);
      client.sendRaw(JSON.stringify({ type: 'samples', seq: 0, t: Array.from({ length: 1000 }, (_, i) => i * 20), x: [], y: [], z: [] }));
      expect(await client.closed).toBe(CloseCode.tooBig);
      const health = await fetch(`${small.url}/api/health`).then((r) => r.json());
      expect(health.devicesConnected).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('closes a connection that never says hello, and one with a wrong token', async () => {
    const strict = await startTestServer({ helloTimeoutMs: 200, authTokens: ['secret-token'] });
    try {
      const silent = await TestClient.connect(strict.wsUrl('/ws/device'));
      expect(await silent.closed).toBe(CloseCode.policy);
      expect(silent.closeReason).toMatch(/no valid hello within 200 ms/);
      const intruder = await TestClient.connect(strict.wsUrl('/ws/device'));
      intruder.send(hello('intruder', { token: 'guess' }));
      expect(await intruder.closed).toBe(CloseCode.policy);
      expect(intruder.of('error')[0]).toMatchObject({ code: 'unauthorized' });
      const friend = await TestClient.connect(strict.wsUrl('/ws/device'));
      friend.send(hello('friend', { token: 'secret-token' }));
      await friend.count('welcome', 1);
      await friend.close();
    } finally {
      await strict.close();
    }
  });

  it('rate-limits a device that sends far more samples than any sensor produces', async () => {
    const limited = await startTestServer({ rateLimit: { samplesPerSec: 100, burstSamples: 200, errorsPerSec: 20 } });
    try {
      const client = await TestClient.connect(limited.wsUrl('/ws/device'));
      client.send(hello('flood'));
      await client.count('welcome', 1);
      const rec = labelledRecording([['walking', 10]]);
      for (const f of toFrames(rec, 100)) client.send(f); // 500 samples at once
      await client.count('error', 1);
      expect(client.of('error').every((e) => e.code === 'rate-limited')).toBe(true);
      expect(client.of('error')[0]!.seq).toBe(2);
      await client.close();
    } finally {
      await limited.close();
    }
  });
});
