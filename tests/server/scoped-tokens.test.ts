// Scoped tokens (issue 13, finding 9): `device` streams, `viewer` watches dashboards and reads
// recordings, `admin` may do everything (start/stop recordings...); plain tokens of older setups
// are admin tokens. A device's session waiting in its reconnect window resumes only for the token
// that opened it: another token holder cannot take it over.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { ConfigError, configFromEnv, parseTokensFile } from '../../server/config.js';
import { Auth } from '../../server/security/auth.js';
import { sleep, socketOutcome, startTestServer, TestClient, type TestServer } from './helpers.js';

const DEVICE = 'device-token-1';
const VIEWER = 'viewer-token-1';
const ADMIN = 'admin-token-1';
const LEGACY = 'legacy-token-1';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const hello = (deviceId: string, token?: string) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g', ...(token ? { token } : {}) });

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ authTokens: [`device:${DEVICE}`, `viewer:${VIEWER}`, `admin:${ADMIN}`, LEGACY], reconnectGraceMs: 1500, helloTimeoutMs: 2000 });
});
afterAll(() => srv?.close());

async function status(path: string, token: string, method = 'GET', body?: string): Promise<number> {
  const headers: Record<string, string> = { ...bearer(token), ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(`${srv.url}${path}`, { method, headers, ...(body ? { body } : {}) });
  await res.arrayBuffer();
  return res.status;
}

describe('HTTP routes by scope', () => {
  it('viewer reads, admin changes, device only streams; a token without the scope gets 403', async () => {
    expect(await status('/api/recordings', VIEWER)).toBe(200);
    expect(await status('/api/recordings', ADMIN)).toBe(200);
    expect(await status('/api/recordings', LEGACY)).toBe(200);
    expect(await status('/api/recordings', DEVICE)).toBe(403);
    const forbidden = await fetch(`${srv.url}/api/recordings`, { headers: bearer(DEVICE) }).then((r) => r.json());
    expect(forbidden).toMatchObject({ error: 'forbidden', message: expect.stringMatching(/viewer/) });

    expect(await status('/api/recordings/someone/start', VIEWER, 'POST')).toBe(403);
    expect(await status('/api/recordings/someone/start', DEVICE, 'POST')).toBe(403);
    expect(await status('/api/recordings/someone/start', ADMIN, 'POST')).toBe(404); // allowed; no such device
    expect(await status('/api/recordings/someone/stop', LEGACY, 'POST')).toBe(404);

    expect(await status('/metrics', VIEWER)).toBe(200);
    expect(await status('/metrics', DEVICE)).toBe(403);

    const push = JSON.stringify({ deviceId: 'scoped-logger', payload: [] });
    expect(await status('/api/sensor-logger', DEVICE, 'POST', push)).not.toBe(403);
    expect(await status('/api/sensor-logger', DEVICE, 'POST', push)).not.toBe(401);
    expect(await status('/api/sensor-logger', VIEWER, 'POST', push)).toBe(403);
    expect(await status('/api/sensor-logger', 'not-a-token-at-all', 'POST', push)).toBe(401);
  });

  it('the scope follows the route that runs, however the request names it (absolute-form, trailing slash)', async () => {
    const { host, port } = new URL(srv.url);
    const raw = (target: string, token: string) =>
      new Promise<number>((resolve) => {
        const c = connect(Number(port), '127.0.0.1', () => c.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`));
        let head = '';
        c.on('data', (b: Buffer) => (head += b.toString()));
        c.on('end', () => resolve(Number(head.split(' ')[1])));
      });
    expect(await raw(`http://${host}/api/recordings`, DEVICE)).toBe(403);
    expect(await raw(`http://${host}/api/recordings`, VIEWER)).toBe(200);
    expect(await raw('/api/recordings/', DEVICE)).toBe(403);
    expect(await raw(`http://${host}/metrics`, DEVICE)).toBe(403);
  });

  it('pages open with any valid token (a phone has only its device token); health details too', async () => {
    expect([401, 403]).not.toContain(await status('/phone/', DEVICE));
    const health = await fetch(`${srv.url}/api/health`, { headers: bearer(DEVICE) }).then((r) => r.json());
    expect(health).toHaveProperty('backend');
  });
});

describe('WebSockets by scope', () => {
  it('devices need the device scope (admin and plain tokens have it), dashboards and text the viewer scope', async () => {
    for (const [token, ok] of [
      [DEVICE, true],
      [ADMIN, true],
      [LEGACY, true],
      [VIEWER, false],
    ] as const) {
      const c = await TestClient.connect(srv.wsUrl('/ws/device'));
      c.send(hello(`scope-${token}`, token));
      if (ok) {
        await c.count('welcome', 1);
        await c.close();
      } else {
        expect(await c.closed).toBe(CloseCode.policy);
        expect(c.of('error')[0]).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/device scope/) });
      }
    }
    // A viewer token at the upgrade does not make a device connection authenticated.
    const viaCookie = await TestClient.connect(srv.wsUrl('/ws/device'), 'json', { cookie: `sensorium_token=${VIEWER}` });
    viaCookie.send(hello('cookie-viewer'));
    expect(await viaCookie.closed).toBe(CloseCode.policy);

    const dashByDevice = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dashByDevice.send({ type: 'subscribe', devices: '*', token: DEVICE });
    expect(await dashByDevice.closed).toBe(CloseCode.policy);
    const dash = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    dash.send({ type: 'subscribe', devices: '*', token: VIEWER });
    await dash.count('devices', 1);
    await dash.close();

    const text = (token: string) => socketOutcome(srv.wsUrl('/ws/text'), bearer(token));
    expect(await text(VIEWER)).toBe('open');
    expect(await text(DEVICE)).toBe(CloseCode.policy);
  });
});

describe('resuming a device session', () => {
  it('only the token that opened it may resume it in its reconnect window', async () => {
    const t = Array.from({ length: 50 }, (_, i) => 1000 + i * 20);
    const first = await TestClient.connect(srv.wsUrl('/ws/device'));
    first.send(hello('owned-phone', DEVICE));
    await first.count('welcome', 1);
    first.send({ type: 'samples', seq: 0, t, x: t.map(() => 0), y: t.map(() => 0), z: t.map(() => 1) });
    await sleep(100);
    first.ws.terminate(); // link lost (1006): the session waits for its device
    await sleep(100);

    const thief = await TestClient.connect(srv.wsUrl('/ws/device'));
    thief.send(hello('owned-phone', ADMIN)); // a valid token with the device scope, but not this session's
    await thief.count('error', 1);
    expect(thief.of('error')[0]).toMatchObject({ code: 'id-in-use' });
    expect(thief.of('welcome')).toEqual([]);
    await thief.close();

    const back = await TestClient.connect(srv.wsUrl(`/ws/device?token=${DEVICE}`)); // same token, another way of sending it
    back.send(hello('owned-phone'));
    const [welcome] = await back.count('welcome', 1);
    expect(welcome).toMatchObject({ resumed: true });
    back.ws.terminate();

    // Once the reconnect window is over the id is free for anyone with the device scope.
    await sleep(1800);
    const later = await TestClient.connect(srv.wsUrl('/ws/device'));
    later.send(hello('owned-phone', LEGACY));
    const [fresh] = await later.count('welcome', 1);
    expect(fresh!.resumed).toBeFalsy(); // a new session
    await later.close();
  });
});

describe('Sensor Logger devices', () => {
  it('only the token that started a Sensor Logger stream may push to it', async () => {
    const push = (token: string, t0: number) =>
      fetch(`${srv.url}/api/sensor-logger`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: 'owned-logger', payload: Array.from({ length: 20 }, (_, i) => ({ name: 'totalacceleration', time: (t0 + i * 20) * 1e6, values: { x: 0, y: 0, z: 9.8 } })) }),
      });
    expect((await push(DEVICE, 1_000_000)).status).toBe(200);
    const other = await push(LEGACY, 1_000_400);
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: 'id-in-use' });
    expect((await push(DEVICE, 1_000_400)).status).toBe(200);
  });
});

describe('token configuration', () => {
  it('reads scope:token lines and plain (admin) tokens from files and the environment', () => {
    expect(parseTokensFile(`# phones\ndevice:${DEVICE}\nviewer:${VIEWER}\n${LEGACY}\n`, 't.txt')).toEqual([`device:${DEVICE}`, `viewer:${VIEWER}`, LEGACY]);
    expect(configFromEnv({ SENSORIUM_TOKENS: `admin:${ADMIN},${LEGACY}` }).authTokens).toEqual([`admin:${ADMIN}`, LEGACY]);
    expect(() => parseTokensFile('devcie:abcdefghij\n', 't.txt')).toThrow(ConfigError);
    expect(() => parseTokensFile('devcie:abcdefghij\n', 't.txt')).toThrow(/unknown scope 'devcie'.*device, viewer, admin/);
    expect(() => parseTokensFile('device:short\n', 't.txt')).toThrow(/8-256 printable/);
  });

  it('a token listed under two scopes has both; admin has every scope', () => {
    const auth = new Auth([`device:${DEVICE}`, `viewer:${DEVICE}`, `admin:${ADMIN}`, LEGACY]);
    expect(auth.grants(DEVICE, 'device') && auth.grants(DEVICE, 'viewer')).toBe(true);
    expect(auth.grants(DEVICE, 'admin')).toBe(false);
    for (const scope of ['device', 'viewer', 'admin'] as const) {
      expect(auth.grants(ADMIN, scope)).toBe(true);
      expect(auth.grants(LEGACY, scope)).toBe(true);
      expect(auth.grants('unknown-token', scope)).toBe(false);
    }
    expect(new Auth([]).grants(undefined, 'admin')).toBe(true); // open server (loopback only)
  });
});
