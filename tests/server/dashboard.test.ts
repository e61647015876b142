// /ws/dashboard: subscriptions, device lists, predictions, signal and stats; slow viewers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ dashboard: { statsIntervalMs: 200, signalIntervalMs: 50 } });
});
afterAll(async () => {
  await srv?.close();
});

async function device(id: string): Promise<TestClient> {
  const c = await TestClient.connect(srv.wsUrl('/ws/device'));
  c.send({ type: 'hello', deviceId: id, rateHz: 50, units: 'g', source: 'simulator', description: `test ${id}` });
  await c.count('welcome', 1);
  return c;
}

const deviceIds = (m: Record<string, unknown>) => (m.devices as { deviceId: string }[]).map((d) => d.deviceId).sort();

describe('dashboards', () => {
  it('get the device list on subscribe and on every change', async () => {
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'subscribe', devices: '*' });
    const [first] = await dash.count('devices', 1);
    expect(first!.devices).toEqual([]);
    const a = await device('dash-a');
    await dash.until((ms) => ms.some((m) => m.type === 'devices' && deviceIds(m).join() === 'dash-a'), 5000, 'dash-a listed');
    const listed = dash.of('devices').at(-1)!.devices as Record<string, unknown>[];
    expect(listed[0]).toMatchObject({ deviceId: 'dash-a', rateHz: 50, units: 'g', source: 'simulator', description: 'test dash-a', connectedAt: expect.any(Number) });
    await a.close();
    await dash.until((ms) => deviceIds(ms.filter((m) => m.type === 'devices').at(-1)!).length === 0, 5000, 'dash-a gone');
    await dash.close();
  });

  it('receive predictions and signal of the devices they watch only, and periodic stats', async () => {
    const a = await device('watched');
    const b = await device('unwatched');
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'), 'msgpack');
    dash.send({ type: 'subscribe', devices: ['watched'] });
    await dash.count('devices', 1);
    const rec = labelledRecording([['walking', 6]]);
    for (const f of toFrames(rec, 25, false)) {
      a.send(f);
      b.send(f);
    }
    await a.count('prediction', 3);
    await b.count('prediction', 3);
    await dash.count('prediction', 3);
    await dash.count('stats', 2);
    await sleep(200);
    expect(new Set(dash.of('prediction').map((p) => p.deviceId))).toEqual(new Set(['watched']));
    expect(new Set(dash.of('signal').map((p) => p.deviceId))).toEqual(new Set(['watched']));
    // The dashboard sees what the device saw.
    expect(dash.of('prediction').map((p) => p.windowEnd)).toEqual(a.of('prediction').map((p) => p.windowEnd));
    // ~25 Hz of the 50 Hz signal, in g.
    const t = dash.of('signal').flatMap((s) => s.t as number[]);
    expect(t.length).toBeGreaterThanOrEqual(140);
    expect(t.length).toBeLessThanOrEqual(160);
    expect(Math.max(...dash.of('signal').flatMap((s) => s.y as number[]))).toBeLessThan(2);
    const stats = dash.of('stats').at(-1)!;
    expect(stats).toMatchObject({ backend: 'wasm', devices: 2, queueDepth: expect.any(Number), meanBatch: expect.any(Number), windowsPerSec: expect.any(Number) });
    expect((stats.latencyMs as { p50: number }).p50).toBeGreaterThan(0);

    // Re-subscribing changes what arrives.
    dash.send({ type: 'subscribe', devices: '*' });
    await sleep(100);
    const before = dash.of('prediction').length;
    const more = toFrames(labelledRecording([['walking', 3]], 50, 1_000_000 + 6000), 25, false);
    for (const f of more) b.send({ ...f, seq: (f.seq as number) + 12 }); // b sent seq 0-11 already
    await dash.until((ms) => ms.slice(before).some((m) => m.type === 'prediction' && m.deviceId === 'unwatched'), 10_000, 'unwatched predictions after subscribing to *');
    await Promise.all([a.close(), b.close(), dash.close()]);
  });

  it('answer dashboard protocol errors', async () => {
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'hello', deviceId: 'x' });
    dash.send({ type: 'subscribe', devices: 'everything' });
    await dash.count('error', 2);
    expect(dash.of('error').map((e) => e.code)).toEqual(['invalid', 'invalid']);
    expect(dash.of('devices')).toEqual([]); // nothing before a valid subscribe
    await dash.close();
  });
});
