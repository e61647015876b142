// GET /api/health and the HTTP side of the WebSocket paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { WebSocket } from 'ws';
import { startTestServer, TestClient, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

describe('health and routing', () => {
  it('reports status, backend, models, connections and uptime', async () => {
    const phone = await TestClient.connect(srv.wsUrl('/ws/device'));
    phone.send({ type: 'hello', deviceId: 'health-check', rateHz: 50, units: 'g' });
    await phone.count('welcome', 1);
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    const res = await fetch(`${srv.url}/api/health`);
    expect(res.status).toBe(200);
    const health = await res.json();
    expect(health).toMatchObject({
      status: 'ok', // an untrained model is a warning (below), not a readiness problem
      problems: [],
      backend: 'wasm',
      devicesConnected: 1,
      dashboardsConnected: 1,
      dashboardMessagesDropped: 0,
      inference: { queueDepth: 0, predictions: 0 },
    });
    expect(health.models[0]).toMatchObject({ name: 'har', loaded: true, trained: false, details: { windowSize: 128, hop: 64, rateHz: 50 } });
    // Text models load on first use: listed, not yet loaded, no error.
    const text = health.models.filter((m: { details?: { kind?: string } }) => m.details?.kind === 'text');
    expect(text.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['english-word', 'shakespeare-char']));
    for (const m of text) expect(m).toMatchObject({ loaded: false, trained: true });
    // So do the image lab's: all six listed, committed (trained), none loaded before a request.
    const images = () => health.models.filter((m: { details?: { kind?: string } }) => m.details?.kind === 'image');
    expect(images().map((m: { name: string }) => m.name)).toEqual(['mnist-cnn', 'autoencoder', 'vae', 'vae-2d', 'dcgan', 'cgan']);
    for (const m of images()) expect(m).toMatchObject({ loaded: false, trained: true });
    expect((await fetch(`${srv.url}/api/gan/dcgan/sample?n=1`)).status).toBe(200);
    const after = await (await fetch(`${srv.url}/api/health`)).json();
    const loaded = after.models.filter((m: { details?: { kind?: string }; loaded: boolean }) => m.details?.kind === 'image' && m.loaded);
    expect(loaded.map((m: { name: string }) => m.name)).toEqual(['dcgan']);
    expect(health.uptimeSec).toBeGreaterThanOrEqual(0);
    expect(health.warnings[0]).toMatch(/untrained/);
    await Promise.all([phone.close(), dash.close()]);
  });

  it('answers a plain GET on a WebSocket path with 426 and refuses upgrades elsewhere', async () => {
    const res = await fetch(`${srv.url}/ws/device`);
    expect(res.status).toBe(426);
    expect((await res.json()).message).toMatch(/WebSocket/);
    const ws = new WebSocket(srv.wsUrl('/ws/nowhere'));
    const status = await new Promise<number | undefined>((resolve) => ws.on('unexpected-response', (_req, r) => resolve(r.statusCode)).on('error', () => resolve(undefined)));
    expect(status).toBe(404);
  });

  it('cuts a socket that stops answering pings and keeps one that answers', async () => {
    const beating = await startTestServer({ heartbeatMs: 100 });
    try {
      const url = beating.wsUrl('/ws/dashboard');
      const dead = new WebSocket(url, { autoPong: false });
      const live = new WebSocket(url);
      await Promise.all([dead, live].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
      const code = await new Promise<number>((resolve) => dead.once('close', resolve));
      expect(code).toBe(CloseCode.abnormal); // terminated, no closing handshake
      expect(live.readyState).toBe(WebSocket.OPEN);
      live.close();
    } finally {
      await beating.close();
    }
  });
});
