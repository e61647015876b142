// HTTPS: a self-signed certificate kept in a folder and reused across restarts (made with the
// selfsigned library, no openssl), or certificate files; the phone page's WebSocket over wss.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadOrMakeCertificate } from '../../server/security/certificate-store.js';
import { loadTls, localNames, selfSignedCertificate } from '../../server/security/tls.js';
import { startTestServer, type TestServer } from './helpers.js';

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

describe('https', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('serves HTTPS and wss with a self-signed certificate covering localhost and this machine, the same one after a restart', async () => {
    const store = join(dir, 'restart');
    const first = await startTestServer({ tls: { selfSigned: true, dir: store } });
    servers.push(first);
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const tls = first.server.tls!;
    expect(tls.selfSigned).toBe(true);
    expect(tls.store).toMatchObject({ dir: store, reused: false });
    expect(tls.subjectAltNames).toMatch(/DNS:localhost/);
    expect(tls.subjectAltNames).toMatch(/IP Address:127\.0\.0\.1/);
    const health = await httpsJson(`${first.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.fingerprint).toBe(tls.fingerprint);
    // The private key is readable by its owner only.
    expect(statSync(join(store, 'key.pem')).mode & 0o077).toBe(0);

    const ws = new WebSocket(first.wsUrl('/ws/device'), { rejectUnauthorized: false });
    const welcome = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', deviceId: 'secure-phone', rateHz: 50, units: 'm/s2', source: 'phone' })));
      ws.on('message', (d) => resolve(JSON.parse(d.toString())));
      ws.on('error', reject);
    });
    expect(welcome.type).toBe('welcome');
    ws.close();
    await first.close();
    servers.pop();

    // A restart: the phone sees the certificate it already accepted.
    const second = await startTestServer({ tls: { selfSigned: true, dir: store } });
    servers.push(second);
    expect(second.server.tls!.store).toMatchObject({ reused: true });
    expect((await httpsJson(`${second.url}/api/health`)).fingerprint).toBe(tls.fingerprint);
  });

  it('makes a new certificate when the stored one is about to expire', async () => {
    const store = join(dir, 'expiry');
    const a = await selfSignedCertificate(store, { days: 30 });
    const b = await selfSignedCertificate(store);
    expect(b.fingerprint).toBe(a.fingerprint);
    const nearEnd = new Date(new Date(a.validTo).getTime() - 3600_000);
    const c = await selfSignedCertificate(store, { now: nearEnd });
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(c.store?.madeBecause).toMatch(/expires/);
  });

  it("makes a new certificate when this machine's names are not all in the stored one", async () => {
    const store = join(dir, 'names');
    const other = await loadOrMakeCertificate(store, { dns: ['elsewhere'], ips: ['10.99.99.99'] });
    expect(other.reused).toBe(false);
    const mine = await selfSignedCertificate(store);
    expect(mine.fingerprint).not.toBe(other.x509.fingerprint256);
    expect(mine.store?.madeBecause).toMatch(/does not name .*localhost/);
    // Every local name and address is in it now, IPv6 ones included (compared in one spelling).
    const again = await selfSignedCertificate(store);
    expect(again.store?.reused).toBe(true);
    expect(localNames().ips).toContain('::1');
  });

  it('replaces a stored key that does not belong to the stored certificate', async () => {
    const store = join(dir, 'mismatch');
    const a = await selfSignedCertificate(store);
    const b = await selfSignedCertificate(join(dir, 'mismatch-other'));
    writeFileSync(join(store, 'key.pem'), b.key);
    const c = await selfSignedCertificate(store);
    expect(c.store?.madeBecause).toMatch(/does not match/);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it('loads certificate files and refuses a key that does not match', async () => {
    const a = await selfSignedCertificate(join(dir, 'files-a'), { days: 1 });
    const b = await selfSignedCertificate(join(dir, 'files-b'), { days: 1 });
    writeFileSync(join(dir, 'cert.pem'), a.cert);
    writeFileSync(join(dir, 'key.pem'), a.key);
    writeFileSync(join(dir, 'other-key.pem'), b.key);
    expect((await loadTls({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') })).fingerprint).toBe(a.fingerprint);
    await expect(loadTls({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'other-key.pem') })).rejects.toThrow(/does not belong to the certificate/);
    await expect(loadTls({ certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'key.pem') })).rejects.toThrow(/--tls-cert .*nope\.pem/);
  });
});
