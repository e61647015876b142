// What one client's frames may cost the server: frames nested too deep or holding too many values
// are refused before decoding (`bad-frame`), and each socket endpoint decodes at most its byte
// budget per second — a frame over it is dropped `rate-limited` and the socket is not read until
// the budget refills, while a neighbour's stream goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  // A small device budget (32 KB/s, bursts of 64 KB) so the test reaches it with a few frames.
  srv = await startTestServer({ pipeline: { reorderWaitMs: 50 }, rateLimit: { bytesPerSec: 32 * 1024 }, limits: { maxFrameBytes: 32 * 1024 } });
});
afterAll(async () => {
  await srv?.close();
});

const hello = (deviceId: string) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g' });

describe('frame cost limits', () => {
  it('refuses deep and huge frames on every socket endpoint as bad-frame, and the connection goes on', async () => {
    const deepJson = '['.repeat(6000) + ']'.repeat(6000);
    const deepMsgpack = Buffer.concat([Buffer.alloc(6000, 0x91), Buffer.from([0xc0])]);
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send(hello('deep-sender'));
    await device.count('welcome', 1);
    device.sendRaw(deepJson);
    device.ws.send(deepMsgpack, { binary: true });
    await device.until((ms) => ms.filter((m) => m.type === 'error').length >= 2, 5000, 'two errors');
    expect(device.of('error').map((e) => [e.code, e.message])).toEqual([
      ['bad-frame', 'JSON frame refused: frame nests deeper than 8 levels'],
      ['bad-frame', 'msgpack frame refused: frame nests deeper than 8 levels'],
    ]);

    const dashboard = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dashboard.sendRaw(deepJson);
    await dashboard.until((ms) => ms.some((m) => m.type === 'error'), 5000, 'a dashboard error');
    expect(dashboard.of('error')[0]).toMatchObject({ code: 'bad-frame', message: 'JSON frame refused: frame nests deeper than 8 levels' });
    dashboard.send({ type: 'subscribe', devices: '*' });
    await dashboard.count('devices', 1);

    const text = await TestClient.connect(srv.wsUrl('/ws/text'));
    text.sendRaw(`[${new Array(1000).fill(0).join(',')}]`);
    await text.until((ms) => ms.some((m) => m.type === 'error'), 5000, 'a text error');
    expect(text.of('error')[0]).toMatchObject({ code: 'bad-frame', message: 'JSON frame refused: frame holds more than 256 values' });

    // The device still streams after its refused frames.
    const frames = toFrames(labelledRecording([['walking', 4]]), 50, false);
    for (const f of frames) device.send(f);
    await device.count('prediction', 1);
    await Promise.all([device.close(), dashboard.close(), text.close()]);
  });

  it("drops frames over a device connection's byte budget and pauses its reading; a neighbour keeps its predictions", async () => {
    const good = await TestClient.connect(srv.wsUrl('/ws/device'));
    good.send(hello('budget-neighbour'));
    await good.count('welcome', 1);
    const flood = await TestClient.connect(srv.wsUrl('/ws/device'));
    flood.send(hello('budget-flooder'));
    await flood.count('welcome', 1);

    // 40 frames of ~30 KB (valid JSON, not samples): 1.2 MB against a 64 KB burst and 32 KB/s.
    const big = JSON.stringify({ type: 'samples', seq: 0, pad: 'x'.repeat(30_000) });
    const started = performance.now();
    for (let i = 0; i < 40; i++) flood.sendRaw(big);
    const rec = labelledRecording([['walking', 6]]);
    for (const f of toFrames(rec, 50, false)) {
      good.send(f);
      await sleep(5);
    }
    await good.count('prediction', Math.floor((rec.t.length - 128) / 64) + 1, 10_000);
    expect(good.of('error')).toEqual([]);

    await flood.until((ms) => ms.some((m) => m.type === 'error' && m.code === 'rate-limited'), 5000, 'a rate-limited error');
    const limited = flood.of('error').filter((e) => e.code === 'rate-limited');
    expect(limited[0]!.message).toBe('more than 32768 bytes/s: frame dropped, reading paused');
    // The budget is what was decoded: at most the burst and 32 KB/s since, i.e. a few of the 40 frames.
    const seconds = (performance.now() - started) / 1000;
    const decoded = flood.of('error').filter((e) => e.code !== 'rate-limited').length;
    expect(decoded).toBeLessThanOrEqual(Math.ceil((64 * 1024 + seconds * 32 * 1024) / big.length));
    const stats = await fetch(`${srv.url}/metrics`).then((r) => r.text());
    expect(stats).toMatch(/sensorium_errors_total\{code="rate-limited"\} [1-9]/);
    flood.ws.terminate(); // its close frame would wait behind the unread frames
    await good.close();
  });
});
