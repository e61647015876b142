// A HAR model that is corrupt (or missing where a trained one is required) at start: the server
// starts anyway, says why in /api/health, refuses devices with a clear 'model-unavailable' error
// instead of silently serving an untrained model, and its other services keep serving.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { startTestServer, TestClient, type TestServer } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-badmodel-'));
  writeFileSync(join(dir, 'model.json'), '{"modelTopology": {"truncated');
  writeFileSync(join(dir, 'metadata.json'), '{}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['a corrupt model in auto mode', () => ({ harModel: 'auto' as const, harModelDir: dir }), /could not be loaded/],
  ['a missing model in trained mode', () => ({ harModel: 'trained' as const, harModelDir: join(dir, 'nowhere') }), /no trained HAR model/],
])('%s', (_name, overrides, reason) => {
  let srv: TestServer;
  const warnings: string[] = [];
  beforeAll(async () => {
    srv = await startTestServer(overrides(), { warn: (m) => warnings.push(m) });
  });
  afterAll(() => srv?.close());

  it('starts, says why in health and warnings, and refuses devices with model-unavailable', async () => {
    expect(warnings.join('\n')).toMatch(reason);
    const health = await fetch(`${srv.url}/api/health`).then((r) => r.json());
    expect(health.status).toBe('degraded');
    expect(health.models[0]).toMatchObject({ name: 'har', loaded: false, trained: false, error: expect.stringMatching(reason) });

    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'refused', rateHz: 50, units: 'g' });
    expect(await device.closed).toBe(CloseCode.tryAgainLater);
    expect(device.of('welcome')).toEqual([]);
    expect(device.of('error')[0]).toMatchObject({ code: 'model-unavailable', message: expect.stringMatching(reason) });

    const post = await fetch(`${srv.url}/api/sensor-logger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'x', payload: [{ name: 'totalacceleration', time: '1700000000000000000', values: { x: 0, y: 9.8, z: 0 } }] }),
    });
    expect(post.status).toBe(503);
  });

  it('keeps the other services serving', async () => {
    const text = await fetch(`${srv.url}/api/text/models`);
    expect(text.status).toBe(200);
    const conv = await fetch(`${srv.url}/api/images/convolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        image: [
          [0, 1, 0],
          [1, 1, 1],
          [0, 1, 0],
        ],
        weights: [[1]],
      }),
    });
    expect(conv.status).toBe(200);
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'subscribe', devices: '*' });
    await dash.count('devices', 1);
    await dash.close();
  });
});
