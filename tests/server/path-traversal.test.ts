// No route serves a file outside its folder: the browser client's static files, recording
// downloads, and model names (text models are looked up by name). Requests go out as raw HTTP
// so that `..` and its encodings reach the server exactly as written (fetch would normalize them).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientStaticPlugin } from '../../server/plugins/client-static.js';
import { startTestServer, type TestServer } from './helpers.js';

const SECRET = 'TOP-SECRET-7f3a9c';

/** `..` in every disguise we know: plain, percent-encoded (once, twice), backslashes, overlong UTF-8, NUL, dot tricks. */
const ATTACKS = [
  '/../secret.txt',
  '/..%2fsecret.txt',
  '/%2e%2e/secret.txt',
  '/%2e%2e%2fsecret.txt',
  '/%2E%2E%2Fsecret.txt',
  '/..%5csecret.txt',
  '/..\\secret.txt',
  '/%252e%252e%252fsecret.txt',
  '/phone/../../secret.txt',
  '/phone/%2e%2e/%2e%2e/secret.txt',
  '/./../secret.txt',
  '/....//secret.txt',
  '/..;/secret.txt',
  '/%c0%ae%c0%ae/secret.txt',
  '/..%00/secret.txt',
  '/secret.txt%00.html',
  '//secret.txt',
  '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
];

function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('latin1')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sensorium-traversal-'));
  mkdirSync(join(root, 'dist', 'phone'), { recursive: true });
  writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(join(root, 'dist', 'phone', 'index.html'), '<!doctype html><title>phone</title>');
  writeFileSync(join(root, 'secret.txt'), SECRET);
  mkdirSync(join(root, 'recordings'));
  writeFileSync(join(root, 'secret.ndjson'), SECRET);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('static files', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = Fastify();
    await app.register(clientStaticPlugin, { distDir: join(root, 'dist') + '/' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app?.close());

  it('serves the pages', async () => {
    expect((await rawGet(base, '/phone/')).body).toMatch(/phone/);
  });

  it.each(ATTACKS)('never serves a file outside dist for %s', async (path) => {
    const res = await rawGet(base, path);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toMatch(/root:.*:0:0:/);
    expect(res.status).not.toBe(500);
  });
});

describe('recording downloads and model names', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ recording: { all: false, dir: join(root, 'recordings'), flushMs: 1000 } });
  });
  afterAll(() => srv?.close());

  const recordingAttacks = ['..%2fsecret', '%2e%2e%2fsecret', '..', '.', '..%5csecret', '%252e%252e%252fsecret', '..%00', 'secret%2f..%2f..%2fsecret'];

  it.each(recordingAttacks)('GET /api/recordings/%s stays inside the recordings folder', async (id) => {
    const res = await rawGet(srv.url, `/api/recordings/${id}`);
    expect(res.body).not.toContain(SECRET);
    expect([400, 404]).toContain(res.status);
  });

  it('text model names are looked up in an allow-list, never as paths', async () => {
    for (const model of ['..', '../har', '..%2f..%2fhar', 'english-word/../../har']) {
      const res = await fetch(`${srv.url}/api/text/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, prompt: 'a', maxTokens: 1 }) });
      expect([400, 404]).toContain(res.status);
    }
  });
});
