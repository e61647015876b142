// DNS rebinding: a web page on attacker.example whose name later resolves to 127.0.0.1 talks to
// the server as a same-origin page (Origin and Host both say attacker.example). Only Host names
// the server answers to (loopback, the bound address, configured ones; any IP address when bound
// to every interface) are served: others get 421 on HTTP and at WebSocket upgrades. Browser
// requests from foreign origins are refused on data-reading routes too, not only on POSTs.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { configFromEnv } from '../../server/config.js';
import { HostPolicy } from '../../server/security/host-allowlist.js';
import { startTestServer, type TestServer } from './helpers.js';

const TOKEN = 'lan-token-123456';

/** A plain HTTP request with exactly these headers (fetch does not let tests set Host). */
function get(url: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket with these headers: the HTTP status of a refused upgrade, or 101. */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
}

describe('Host allow-list, default loopback server without tokens', () => {
  let srv: TestServer;
  let port: string;
  beforeAll(async () => {
    srv = await startTestServer({ allowedHosts: ['sensorium.lan'] });
    port = new URL(srv.url).port;
  });
  afterAll(() => srv?.close());

  it('a rebinding page (Host and Origin attacker.example) gets 421, on HTTP and WebSocket upgrades', async () => {
    const rebound = { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` };
    const res = await get(`${srv.url}/api/recordings`, rebound);
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body).error).toBe('misdirected-request');
    expect((await get(`${srv.url}/api/recordings/x/start`, rebound, 'POST')).status).toBe(421);
    expect(await upgrade(srv.wsUrl('/ws/dashboard'), rebound)).toBe(421);
    expect(await upgrade(srv.wsUrl('/ws/device'), { host: 'attacker.example' })).toBe(421);
    const metrics = await get(`${srv.url}/metrics`, { host: `127.0.0.1:${port}` });
    expect(metrics.body).toMatch(/sensorium_connections_refused_total\{reason="host"\} 2/);
  });

  it('loopback names and addresses with any port, and configured hosts, are served', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`, `LOCALHOST.:${port}`, 'sensorium.lan:8080', 'Sensorium.LAN']) {
      expect((await get(`${srv.url}/api/recordings`, { host })).status, host).toBe(200);
    }
    expect(await upgrade(srv.wsUrl('/ws/dashboard'), { host: `localhost:${port}`, origin: `http://localhost:${port}` })).toBe(101);
    for (const host of ['192.168.1.20:8080', 'sensorium.lan.attacker.example', 'localhost.attacker.example', '[::1']) {
      expect((await get(`${srv.url}/api/recordings`, { host })).status, host).toBe(421);
    }
  });

  it('foreign origins may not read data either (recordings, metrics), only same-origin pages', async () => {
    const host = `127.0.0.1:${port}`;
    const foreign = await get(`${srv.url}/api/recordings`, { host, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error).toBe('forbidden-origin');
    expect((await get(`${srv.url}/metrics`, { host, origin: 'https://evil.example' })).status).toBe(403);
    expect((await get(`${srv.url}/api/recordings/some_2020.ndjson`, { host, origin: 'https://evil.example' })).status).toBe(403);
    expect((await get(`${srv.url}/api/recordings`, { host, origin: `http://${host}` })).status).toBe(200);
  });
});

describe('Host allow-list, bound to every interface with tokens', () => {
  let srv: TestServer;
  let port: string;
  beforeAll(async () => {
    srv = await startTestServer({ host: '0.0.0.0', authTokens: [TOKEN] });
    port = new URL(srv.url).port;
  });
  afterAll(() => srv?.close());

  it('phones may use the LAN address (any IP literal); DNS names not configured get 421', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const url = `http://127.0.0.1:${port}/api/recordings`;
    expect((await get(url, { ...auth, host: `192.168.1.20:${port}` })).status).toBe(200);
    expect((await get(url, { ...auth, host: `[fe80::1]:${port}` })).status).toBe(200);
    expect((await get(url, { ...auth, host: `attacker.example:${port}` })).status).toBe(421);
    expect(await upgrade(`ws://127.0.0.1:${port}/ws/device?token=${TOKEN}`, { host: `10.0.0.7:${port}` })).toBe(101);
  });
});

describe('HostPolicy and its configuration', () => {
  it('parses SENSORIUM_ALLOWED_HOSTS and refuses what is not a host name', () => {
    expect(configFromEnv({ SENSORIUM_ALLOWED_HOSTS: 'sensorium.lan, Lab.Example' }).allowedHosts).toEqual(['sensorium.lan', 'lab.example']);
    expect(() => configFromEnv({ SENSORIUM_ALLOWED_HOSTS: 'http://x.example/' })).toThrow(/SENSORIUM_ALLOWED_HOSTS/);
  });

  it('says why a Host is refused, and allows everything with *', () => {
    const p = new HostPolicy({ bindHost: '127.0.0.1', allowedHosts: [] });
    expect(p.check(undefined)).toMatch(/no Host header/);
    expect(p.check('evil.example:80')).toMatch(/evil\.example.*SENSORIUM_ALLOWED_HOSTS/);
    expect(p.check('127.0.0.5:1')).toBeUndefined();
    expect(new HostPolicy({ bindHost: '127.0.0.1', allowedHosts: ['*'] }).check('evil.example')).toBeUndefined();
    expect(new HostPolicy({ bindHost: '192.168.1.20', allowedHosts: [] }).check('192.168.1.20:8080')).toBeUndefined();
    expect(new HostPolicy({ bindHost: '192.168.1.20', allowedHosts: [] }).check('192.168.1.21:8080')).toMatch(/not served/);
    expect(new HostPolicy({ bindHost: '0.0.0.0', allowedHosts: ['sensorium.lan'] }).describe()).toMatch(/^loopback names and addresses, any IP address, sensorium\.lan, .+, .+\.local$/);
  });
});
