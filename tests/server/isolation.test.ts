// A device sending garbage gets errors while its neighbour keeps getting predictions, and the
// server keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { encodeFrame } from '../../protocol/codec.js';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ pipeline: { reorderWaitMs: 50 } });
});
afterAll(async () => {
  await srv?.close();
});

const hello = (deviceId: string) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g' });

describe('bad input isolation', () => {
  it('a garbage-sending device does not disturb a streaming neighbour', async () => {
    const good = await TestClient.connect(srv.wsUrl('/ws/device'));
    good.send(hello('good-neighbour'));
    await good.count('welcome', 1);
    const bad = await TestClient.connect(srv.wsUrl('/ws/device'), 'msgpack');
    bad.send(hello('garbage'));
    await bad.count('welcome', 1);

    const rec = labelledRecording([['walking', 16]]);
    const frames = toFrames(rec, 50, false);
    const garbage: (() => void)[] = [
      () => bad.send({ type: 'samples', seq: 0, t: [0, 20, 40], x: [0, NaN, 0], y: [0, 0, 0], z: [1, 1, 1] }),
      () => bad.send({ type: 'samples', seq: 1, t: [60, 80, 100], x: new Float32Array([0, Infinity, 0]), y: [0, 0, 0], z: [1, 1, 1] }),
      () => bad.sendRaw(Buffer.from([0xc1, 0xff, 0x00, 0x13])), // not msgpack
      () => bad.sendRaw('not json at all'),
      () => bad.send({ type: 'samples', seq: 2, t: 'yesterday', x: {}, y: null, z: 5 }),
      () => bad.send({ type: 'samples', seq: 3, t: [1.7e18], x: [0], y: [0], z: [1] }),
      () => bad.send({ type: 'samples', seq: 4, t: Array.from({ length: 50 }, () => 7), x: new Array(50).fill(0), y: new Array(50).fill(0), z: new Array(50).fill(1) }),
      () => bad.send({ type: 'samples', seq: 5, t: [100, 50], x: [0, 0], y: [0, 0], z: [1, 1] }),
      () => bad.send({ type: 'samples', seq: -4, t: [], x: [], y: [], z: [] }),
      () => bad.send({ type: 'hello', deviceId: 'good-neighbour', rateHz: 50, units: 'g' }),
    ];
    for (let i = 0; i < frames.length; i++) {
      good.send(frames[i]);
      garbage[i % garbage.length]!();
      await sleep(2);
    }
    const expected = Math.floor((rec.t.length - 128) / 64) + 1;
    await good.count('prediction', expected);
    expect(good.of('error')).toEqual([]);

    await bad.until((ms) => ms.filter((m) => m.type === 'error').length >= 10, 10_000, 'errors for the garbage');
    const codes = new Set(bad.of('error').map((e) => e.code));
    expect([...codes].sort()).toEqual(['bad-frame', 'duplicate-hello', 'invalid', 'out-of-range']);
    expect(bad.of('error').some((e) => /is NaN/.test(e.message as string))).toBe(true);
    expect(bad.of('error').some((e) => /is Infinity/.test(e.message as string))).toBe(true);
    expect(bad.closeCode).toBeUndefined(); // errors, not disconnection

    const health = await fetch(`${srv.url}/api/health`).then((r) => r.json());
    expect(health.devicesConnected).toBe(2);
    await Promise.all([good.close(), bad.close()]);
  });

  it('an oversize frame closes only the offending socket', async () => {
    const good = await TestClient.connect(srv.wsUrl('/ws/device'));
    good.send(hello('survivor'));
    await good.count('welcome', 1);
    const bad = await TestClient.connect(srv.wsUrl('/ws/device'));
    bad.sendRaw(Buffer.alloc(2 << 20, 0x20).toString()); // 2 MiB of spaces, above the 1 MiB limit
    expect(await bad.closed).toBe(CloseCode.tooBig);
    for (const f of toFrames(labelledRecording([['sitting', 4]]), 50, false)) good.send(f);
    await good.count('prediction', 2);
    expect(good.closeCode).toBeUndefined();
    await good.close();
  });

  it('a device that only sends errors gets a bounded number of error replies', async () => {
    const noisy = await TestClient.connect(srv.wsUrl('/ws/device'));
    for (let i = 0; i < 500; i++) noisy.sendRaw(encodeFrame({ type: 'nonsense', i }, 'json') as string);
    await noisy.count('error', 20);
    await sleep(300);
    // 20 errors/s with a burst of 40: far fewer than 500 replies.
    expect(noisy.of('error').length).toBeLessThanOrEqual(50);
    await noisy.close();
  });
});
