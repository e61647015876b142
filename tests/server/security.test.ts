// Tokens (header, query, cookie, first frame), browser origins, refusing to listen openly off
// loopback, connection limits (total and per IP) and the per-connection frame rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { WebSocket } from 'ws';
import { buildServer } from '../../server/app.js';
import { ConfigError, configFromEnv, makeConfig, parseTokensFile } from '../../server/config.js';
import { Auth } from '../../server/security/auth.js';
import { exposureProblem, isLoopbackHost } from '../../server/security/exposure.js';
import { OriginPolicy } from '../../server/security/origin.js';
import { sleep, startTestServer, TestClient, type TestServer } from './helpers.js';

const TOKEN = 'correct-horse-battery';
const hello = (deviceId: string, extra: Record<string, unknown> = {}) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g', ...extra });

/** Opens a socket with extra headers; resolves with the close code, or the HTTP status of a refused upgrade. */
function outcome(url: string, headers: Record<string, string> = {}, waitMs = 300): Promise<{ opened: boolean; close?: number; reason?: string; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    let opened = false;
    ws.on('open', () => {
      opened = true;
      setTimeout(() => {
        if (ws.readyState === WebSocket.OPEN) {
          ws.close();
          resolve({ opened });
        }
      }, waitMs);
    });
    ws.on('close', (code, reason) => resolve({ opened, close: code, reason: reason.toString() }));
    ws.on('unexpected-response', (_req, res) => resolve({ opened, status: res.statusCode }));
    ws.on('error', () => {});
  });
}

describe('tokens', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ authTokens: [TOKEN, 'second-token-1'], helloTimeoutMs: 300, preAuth: { timeoutMs: 300 } });
  });
  afterAll(() => srv?.close());

  it('HTTP routes need a token (header, query or cookie); /api/health does not, but tells strangers only its status', async () => {
    const anonymous = await fetch(`${srv.url}/api/health`);
    expect(anonymous.status).toBe(200);
    expect(Object.keys(await anonymous.json()).sort()).toEqual(['status', 'uptimeSec']);
    const full = await fetch(`${srv.url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json());
    expect(full).toMatchObject({ backend: 'wasm', devicesConnected: 0 });
    const denied = await fetch(`${srv.url}/metrics`);
    expect(denied.status).toBe(401);
    expect((await denied.json()).error).toBe('unauthorized');
    expect((await fetch(`${srv.url}/api/recordings`)).status).toBe(401);
    expect((await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer nope-nope-nope' } })).status).toBe(401);
    const viaQuery = await fetch(`${srv.url}/api/recordings?token=second-token-1`);
    expect(viaQuery.status).toBe(200);
    const cookie = viaQuery.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sensorium_token=second-token-1; Path=\/; HttpOnly; SameSite=Strict/);
    expect((await fetch(`${srv.url}/api/recordings`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
  });

  it('devices and dashboards may give the token at the upgrade or in their first frame', async () => {
    const viaHello = await TestClient.connect(srv.wsUrl('/ws/device'));
    viaHello.send(hello('tok-hello', { token: TOKEN }));
    await viaHello.count('welcome', 1);

    const viaQuery = await TestClient.connect(srv.wsUrl(`/ws/device?token=${TOKEN}`));
    viaQuery.send(hello('tok-query'));
    await viaQuery.count('welcome', 1);

    const without = await TestClient.connect(srv.wsUrl('/ws/device'));
    without.send(hello('tok-none'));
    expect(await without.closed).toBe(CloseCode.policy);
    expect(without.of('error')[0]).toMatchObject({ code: 'unauthorized' });

    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'subscribe', devices: '*', token: 'wrong-token-x' });
    expect(await dash.closed).toBe(CloseCode.policy);
    const idle = await TestClient.connect(srv.wsUrl('/ws/dashboard')); // never subscribes
    const dashOk = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dashOk.send({ type: 'subscribe', devices: '*', token: TOKEN });
    await dashOk.count('devices', 1);
    expect(await idle.closed).toBe(CloseCode.policy);
    expect(idle.closeReason).toMatch(/no valid subscribe within 300 ms/);
    await Promise.all([viaHello.close(), viaQuery.close(), dashOk.close()]);
  });

  it('endpoints without a token field (text) need it at the upgrade', async () => {
    const refused = await outcome(srv.wsUrl('/ws/text'));
    expect(refused.close).toBe(CloseCode.policy);
    expect(refused.reason).toMatch(/unauthorized/);
    const bearer = await outcome(srv.wsUrl('/ws/text'), { authorization: `Bearer ${TOKEN}` });
    expect(bearer).toEqual({ opened: true });
  });

  it('compares tokens without leaking which one matched, and reads every place a token can be', () => {
    const auth = new Auth(['abcdefgh']);
    expect(auth.accepts('abcdefgh')).toBe(true);
    expect(auth.accepts('abcdefgH')).toBe(false);
    expect(auth.accepts(undefined)).toBe(false);
    expect(auth.accepts('x'.repeat(10_000))).toBe(false);
    expect(auth.tokenOf({ headers: { authorization: 'bearer  abcdefgh ' }, url: '/' })).toBe('abcdefgh');
    expect(auth.tokenOf({ headers: {}, url: '/x?a=1&token=abc%20d' })).toBe('abc d');
    expect(auth.tokenOf({ headers: { cookie: 'a=1; sensorium_token=zz%3D' }, url: '/' })).toBe('zz=');
    expect(new Auth([]).accepts(undefined)).toBe(true);
  });
});

describe('origins', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ allowedOrigins: ['https://lab.example:8443'] });
  });
  afterAll(() => srv?.close());

  it('browser sockets from a foreign origin are refused; same-origin and allowed ones pass', async () => {
    const host = new URL(srv.url).host;
    expect((await outcome(srv.wsUrl('/ws/dashboard'), { origin: 'https://evil.example' })).status).toBe(403);
    expect((await outcome(srv.wsUrl('/ws/dashboard'), { origin: 'null' })).status).toBe(403);
    expect(await outcome(srv.wsUrl('/ws/dashboard'), { origin: `http://${host}` })).toEqual({ opened: true });
    expect(await outcome(srv.wsUrl('/ws/dashboard'), { origin: 'https://LAB.example:8443' })).toEqual({ opened: true });
    expect(await outcome(srv.wsUrl('/ws/dashboard'))).toEqual({ opened: true }); // not a browser
  });

  it('state-changing HTTP requests from a foreign origin are refused', async () => {
    const res = await fetch(`${srv.url}/api/recordings/someone/start`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toBe('forbidden-origin');
    expect((await fetch(`${srv.url}/api/recordings/someone/start`, { method: 'POST' })).status).toBe(404); // passes the check, no such device
  });

  it('OriginPolicy compares hosts and normalizes allowed origins', () => {
    const p = new OriginPolicy(['http://a.example']);
    expect(p.check({ origin: 'http://a.example', host: 'b' })).toBeUndefined();
    expect(p.check({ origin: 'http://a.example:81', host: 'b' })).toMatch(/not allowed/);
    expect(p.check({ origin: 'not a url', host: 'b' })).toMatch(/not a URL/);
    expect(new OriginPolicy(['*']).check({ origin: 'http://x' })).toBeUndefined();
  });
});

describe('exposure', () => {
  it('refuses to start off loopback without tokens, with a message that says what to do', async () => {
    const config = makeConfig({ host: '0.0.0.0', port: 0, backend: 'wasm', harModel: 'untrained', demo: false });
    await expect(buildServer(config, { log: () => {} })).rejects.toThrow(ConfigError);
    await expect(buildServer(config, { log: () => {} })).rejects.toThrow(/SENSORIUM_TOKENS=.*--tokens-file/);
    expect(exposureProblem('0.0.0.0', ['some-token-1'])).toBeUndefined();
    for (const h of ['127.0.0.1', '127.8.0.1', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.10', '::', 'example.com']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('reads tokens from the environment and from a file, rejecting weak ones', () => {
    expect(configFromEnv({ SENSORIUM_TOKENS: 'abcdefgh, ijklmnop' }).authTokens).toEqual(['abcdefgh', 'ijklmnop']);
    expect(configFromEnv({ SENSORIUM_TOKEN: 'abcdefgh' }).authTokens).toEqual(['abcdefgh']);
    expect(() => configFromEnv({ SENSORIUM_TOKENS: 'short' })).toThrow(/8-256 printable/);
    expect(parseTokensFile('# phones\nabcdefgh\n\n  ijklmnop  \n', 't.txt')).toEqual(['abcdefgh', 'ijklmnop']);
    expect(() => parseTokensFile('# nothing\n', 't.txt')).toThrow(/holds no token/);
  });
});

describe('connection limits', () => {
  it('closes connections beyond the total with 1013 and frees the slot when one leaves', async () => {
    const srv = await startTestServer({ maxConnections: 2 });
    try {
      const a = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
      const b = await TestClient.connect(srv.wsUrl('/ws/device'));
      const c = await outcome(srv.wsUrl('/ws/dashboard'));
      expect(c.close).toBe(CloseCode.tryAgainLater);
      expect(c.reason).toMatch(/at most 2 connections/);
      await a.close();
      await sleep(50);
      expect(await outcome(srv.wsUrl('/ws/dashboard'))).toEqual({ opened: true });
      await b.close();
      const metrics = await fetch(`${srv.url}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/sensorium_connections_refused_total\{reason="too-many-connections"\} 1/);
    } finally {
      await srv.close();
    }
  });

  it('limits connections per address (loopback is exempt unless configured otherwise)', async () => {
    const srv = await startTestServer({ maxConnectionsPerIp: 2, exemptLoopbackFromIpLimit: false });
    const exempt = await startTestServer({ maxConnectionsPerIp: 1 });
    try {
      const held = [await TestClient.connect(srv.wsUrl('/ws/dashboard')), await TestClient.connect(srv.wsUrl('/ws/dashboard'))];
      const third = await outcome(srv.wsUrl('/ws/dashboard'));
      expect(third.close).toBe(CloseCode.tryAgainLater);
      expect(third.reason).toMatch(/at most 2 connections per address/);
      const local = [await TestClient.connect(exempt.wsUrl('/ws/dashboard')), await TestClient.connect(exempt.wsUrl('/ws/dashboard'))];
      expect(local.every((c) => c.closeCode === undefined)).toBe(true);
      await Promise.all([...held, ...local].map((c) => c.close()));
    } finally {
      await Promise.all([srv.close(), exempt.close()]);
    }
  });

  it('counts clients behind a trusted proxy by X-Forwarded-For, and ignores the header from anyone else', async () => {
    const proxied = await startTestServer({ maxConnectionsPerIp: 1, trustedProxies: ['127.0.0.1'] });
    const direct = await startTestServer({ maxConnectionsPerIp: 1, exemptLoopbackFromIpLimit: false });
    const xff = (v: string) => ({ 'x-forwarded-for': v });
    try {
      const held = new WebSocket(proxied.wsUrl('/ws/dashboard'), { headers: xff('203.0.113.5') });
      await new Promise((resolve) => held.once('open', resolve));
      const same = await outcome(proxied.wsUrl('/ws/dashboard'), xff('203.0.113.5'));
      expect(same.close).toBe(CloseCode.tryAgainLater);
      expect((await outcome(proxied.wsUrl('/ws/dashboard'), xff('203.0.113.6'))).opened).toBe(true);
      // The client may prepend anything; the proxy's own entry (rightmost) is what counts.
      const spoofed = await outcome(proxied.wsUrl('/ws/dashboard'), xff('198.51.100.7, 203.0.113.5'));
      expect(spoofed.close).toBe(CloseCode.tryAgainLater);

      const first = new WebSocket(direct.wsUrl('/ws/dashboard'), { headers: xff('203.0.113.8') });
      await new Promise((resolve) => first.once('open', resolve));
      expect((await outcome(direct.wsUrl('/ws/dashboard'), xff('203.0.113.9'))).close).toBe(CloseCode.tryAgainLater);
      held.close();
      first.close();
    } finally {
      await Promise.all([proxied.close(), direct.close()]);
    }
  });

  it('rejects a trusted proxy that is not an IP address', () => {
    expect(configFromEnv({ SENSORIUM_TRUSTED_PROXIES: '10.0.0.1, ::1' }).trustedProxies).toEqual(['10.0.0.1', '::1']);
    expect(() => configFromEnv({ SENSORIUM_TRUSTED_PROXIES: 'proxy.local' })).toThrow(/SENSORIUM_TRUSTED_PROXIES: 'proxy.local' is not an IP address/);
  });

  it('answers frames beyond the per-connection frame rate with rate-limited and keeps the connection', async () => {
    const srv = await startTestServer({ rateLimit: { framesPerSec: 20, samplesPerSec: 1e6, burstSamples: 1e6, errorsPerSec: 1000 } });
    try {
      const c = await TestClient.connect(srv.wsUrl('/ws/device'));
      c.send(hello('chatty'));
      await c.count('welcome', 1);
      for (let i = 0; i < 100; i++) c.send({ type: 'samples', seq: i, t: [1000 + i * 20], x: [0], y: [0], z: [1] });
      const limitedCount = () => c.of('error').filter((e) => e.code === 'rate-limited').length;
      // A burst of 2 x 20 frames passes (the hello was one), plus what refills (20/s) meanwhile.
      await c.until(() => limitedCount() >= 45, 5000, 'rate-limited errors');
      await sleep(200);
      const limited = c.of('error').filter((e) => e.code === 'rate-limited');
      expect(limited.length).toBeLessThanOrEqual(61); // the hello spent one frame of the burst
      expect(limited[0]!.message).toMatch(/more than 20 frames\/s/);
      expect(c.closeCode).toBeUndefined();
      await c.close();
    } finally {
      await srv.close();
    }
  });
});
