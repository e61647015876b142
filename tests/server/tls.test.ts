// HTTPS: a self-signed certificate made with openssl at start, or certificate files; the phone
// page's WebSocket over wss.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadTls, selfSignedCertificate } from '../../server/security/tls.js';
import { startTestServer, type TestServer } from './helpers.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), 'sensorium-tls-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function httpsJson(url: string): Promise<{ status: number; body: Record<string, unknown>; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), fingerprint }));
    }).on('error', reject);
  });
}

describe.skipIf(!hasOpenssl)('https', () => {
  let srv: TestServer | undefined;
  afterAll(() => srv?.close());

  it('serves HTTPS and wss with a self-signed certificate covering localhost and this machine', async () => {
    srv = await startTestServer({ tls: { selfSigned: true } });
    expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const tls = srv.server.tls!;
    expect(tls.selfSigned).toBe(true);
    expect(tls.subjectAltNames).toMatch(/DNS:localhost/);
    expect(tls.subjectAltNames).toMatch(/IP Address:127\.0\.0\.1/);
    const health = await httpsJson(`${srv.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.fingerprint).toBe(tls.fingerprint);

    const ws = new WebSocket(srv.wsUrl('/ws/device'), { rejectUnauthorized: false });
    const welcome = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', deviceId: 'secure-phone', rateHz: 50, units: 'm/s2', source: 'phone' })));
      ws.on('message', (d) => resolve(JSON.parse(d.toString())));
      ws.on('error', reject);
    });
    expect(welcome.type).toBe('welcome');
    ws.close();
  });

  it('loads certificate files and refuses a key that does not match', () => {
    const a = selfSignedCertificate(1);
    const b = selfSignedCertificate(1);
    writeFileSync(join(dir, 'cert.pem'), a.cert);
    writeFileSync(join(dir, 'key.pem'), a.key);
    writeFileSync(join(dir, 'other-key.pem'), b.key);
    expect(loadTls({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }).fingerprint).toBe(a.fingerprint);
    expect(() => loadTls({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'other-key.pem') })).toThrow(/does not belong to the certificate/);
    expect(() => loadTls({ certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'key.pem') })).toThrow(/--tls-cert .*nope\.pem/);
  });
});
