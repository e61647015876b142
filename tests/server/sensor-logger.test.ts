// POST /api/sensor-logger: Sensor Logger HTTP pushes feed the same pipeline as devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { nanosToMs } from '../../server/devices/sensor-logger.js';
import { startTestServer, TestClient, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ sensorLogger: { idleMs: 2000 } }); // long enough that a loaded CI machine keeps the device between posts;
});
afterAll(async () => {
  await srv?.close();
});

const T0_NS = 1_700_000_000_000_000_000n;

/** `seconds` of 100 Hz Sensor Logger readings starting at `fromS`, plus gyroscope noise entries. */
function payload(fromS: number, seconds: number, name = 'totalacceleration') {
  const entries: Record<string, unknown>[] = [];
  for (let i = 0; i < seconds * 100; i++) {
    const time = (T0_NS + BigInt(Math.round((fromS + i / 100) * 1e9))).toString();
    entries.push({ name, time, values: { x: 0.1, y: STANDARD_GRAVITY, z: 0.3 * Math.sin(i / 5) } });
    if (i % 10 === 0) entries.push({ name: 'gyroscope', time, values: { x: 0, y: 0, z: 0 } });
  }
  return entries.reverse(); // the app does not promise any order
}

const post = (body: unknown, query = '') =>
  fetch(`${srv.url}/api/sensor-logger${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));

describe('Sensor Logger push', () => {
  it('accepts totalacceleration, ignores other sensors, and feeds predictions to dashboards', async () => {
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'subscribe', devices: '*' });
    await dash.count('devices', 1);

    const first = await post({ messageId: 0, sessionId: 's1', deviceId: 'pixel-7', payload: payload(0, 3) });
    expect(first).toEqual({ status: 200, body: { deviceId: 'sensor-logger:pixel-7', accepted: 300, ignored: 30, dropped: 0, warnings: [] } });
    // The batch overlaps the previous one by 0.5 s: the overlap is dropped.
    const second = await post({ messageId: 1, sessionId: 's1', deviceId: 'pixel-7', payload: payload(2.5, 3) });
    expect(second.body).toMatchObject({ accepted: 250, dropped: 50, ignored: 30 });

    // 5.5 s at 100 Hz -> 275 samples on the 50 Hz grid -> 3 windows.
    await dash.count('prediction', 3);
    const p = dash.of('prediction')[0]!;
    expect(p.deviceId).toBe('sensor-logger:pixel-7');
    expect(p.truth).toBeUndefined();
    const listed = dash.of('devices').at(-1)!.devices as Record<string, unknown>[];
    expect(listed).toEqual([expect.objectContaining({ deviceId: 'sensor-logger:pixel-7', units: 'm/s2', source: 'sensor-logger', rateHz: 100 })]);
    const third = await post({ messageId: 2, sessionId: 's1', deviceId: 'pixel-7', payload: payload(5.5, 0.5) });
    expect(third.body.lastPrediction).toMatchObject({ type: 'prediction', deviceId: 'sensor-logger:pixel-7' });

    // Without posts the device leaves the list.
    await dash.until((ms) => (ms.filter((m) => m.type === 'devices').at(-1)!.devices as unknown[]).length === 0, 10_000, 'idle device removed');
    await dash.close();
  });

  it('says so when only gravity-removed accelerometer readings arrive', async () => {
    const r = await post({ deviceId: 'old-phone', payload: payload(0, 1, 'accelerometer') });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(0);
    expect(r.body.warnings[0]).toMatch(/only 'accelerometer' readings arrived: they have gravity removed.*enable 'TotalAcceleration'/);
  });

  it('rejects malformed bodies and absurd values with 400 and a reason', async () => {
    const noPayload = await post({ deviceId: 'x' });
    expect(noPayload.status).toBe(400);
    expect(noPayload.body).toMatchObject({ error: 'invalid', message: expect.stringMatching(/payload/) });
    const badId = await post({ deviceId: 'has spaces', payload: [] });
    expect(badId.status).toBe(400);
    const huge = payload(0, 1).map((e) => ({ ...e, values: { x: 1e4, y: 0, z: 0 } }));
    const absurd = await post({ deviceId: 'shaker', payload: huge });
    expect(absurd.status).toBe(400);
    expect(absurd.body).toMatchObject({ error: 'out-of-range', message: expect.stringMatching(/m\/s2 is beyond/) });
    const notJson = await fetch(`${srv.url}/api/sensor-logger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"deviceId": ' });
    expect(notJson.status).toBe(400);
    const tooBig = await fetch(`${srv.url}/api/sensor-logger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'big', payload: [], pad: 'x'.repeat(2 << 20) }),
    });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: 'too-large', message: expect.stringMatching(/larger than 1048576 bytes/) });
  });

  it('takes the placement from the push URL (?placement=) and refuses an unknown one', async () => {
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'subscribe', devices: '*' });
    await dash.count('devices', 1);
    const r = await post({ deviceId: 'in-pocket', payload: payload(0, 1) }, '?placement=pocket');
    expect(r.status).toBe(200);
    await dash.until((ms) => ms.some((m) => m.type === 'devices' && (m.devices as { deviceId: string }[]).some((d) => d.deviceId === 'sensor-logger:in-pocket')), 5000, 'device listed');
    const listed = dash.of('devices').at(-1)!.devices as { deviceId: string; placement?: string }[];
    expect(listed.find((d) => d.deviceId === 'sensor-logger:in-pocket')?.placement).toBe('pocket');
    const bad = await post({ deviceId: 'in-trousers', payload: payload(0, 1) }, '?placement=trouser');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/placement/);
    await dash.close();
  });

  it('converts epoch nanoseconds to ms exactly from strings', () => {
    expect(nanosToMs('1700000000123456789')).toBe(1700000000123.456);
    expect(nanosToMs(1.7e18)).toBe(1.7e12);
    expect(nanosToMs('12abc')).toBeUndefined();
  });
});
