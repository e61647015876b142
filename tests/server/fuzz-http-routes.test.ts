// Fuzzing the HTTP routes that tests/server/fuzz-server.test.ts leaves out: the image lab
// (/api/images, /api/vae, /api/gan: query strings, JSON bodies, raw and base64 PNG uploads,
// corrupted, truncated, lying about their size, decompression bombs within the size limit) and
// POST /api/text/generate, with the hostile requests of `npm run bench -- fuzz`
// (bench/hostile/http-payloads.ts) and with query values the schemas must refuse, such as
// "Infinity" and "1e999". A client's bad request is a 4xx, never a 5xx.
// SENSORIUM_FUZZ_RUNS scales the case counts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCase, hostilePng } from '../../bench/hostile/http-payloads.js';
import { createRandom } from '../../lib/random.js';
import { startTestServer, type TestServer } from './helpers.js';

const RUNS = Number(process.env.SENSORIUM_FUZZ_RUNS ?? 400);

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({});
}, 60_000);
afterAll(() => srv?.close());

async function expectNo5xx(req: { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer }): Promise<number> {
  const res = await srv.server.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, payload: req.payload });
  expect(res.statusCode, `${req.method} ${req.url.slice(0, 200)} -> ${res.body.slice(0, 300)}`).toBeLessThan(500);
  return res.statusCode;
}

const QUERY_ROUTES = ['/api/gan/dcgan/sample', '/api/gan/cgan/sample', '/api/gan/interpolate', '/api/vae/sample', '/api/vae/manifold'];
const QUERY_KEYS = ['n', 'seed', 'label', 'from', 'to', 'steps', 'size', 'coverage', 'model', 'path', 'format'];

describe('fuzzing the image-lab and text routes', () => {
  it('refuses numbers a schema cannot hold in query strings (Infinity, 1e999, NaN) with a 4xx', async () => {
    for (const route of QUERY_ROUTES) {
      for (const key of ['n', 'seed', 'label', 'size', 'coverage', 'from', 'to', 'steps']) {
        for (const bad of ['Infinity', '-Infinity', '1e999', 'NaN']) await expectNo5xx({ method: 'GET', url: `${route}?${key}=${bad}` });
      }
    }
  }, 60_000);

  it('never answers 5xx to random query strings', async () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 100 }).map(String), fc.constantFrom('Infinity', '1e999', '', 'NaN', '0.5', 'dcgan', 'slerp', 'png', '__proto__'), fc.string({ maxLength: 10 }));
    const queries = fc.sample(fc.tuple(fc.constantFrom(...QUERY_ROUTES), fc.dictionary(fc.constantFrom(...QUERY_KEYS), value, { maxKeys: 5 })), { numRuns: Math.max(20, RUNS / 4), seed: 11 });
    for (const [route, q] of queries) await expectNo5xx({ method: 'GET', url: `${route}?${new URLSearchParams(q)}` });
  }, 120_000);

  it('decodes hostile PNG uploads to a 4xx or an answer, raw and as base64', async () => {
    const r = createRandom(5);
    for (let i = 0; i < Math.max(16, RUNS / 8); i++) {
      const { png } = hostilePng(r);
      const route = r.pick(['/api/images/convolve?kernel=sobel-x', '/api/images/pool?mode=max', '/api/images/classify', '/api/vae/encode']);
      await expectNo5xx({ method: 'POST', url: route, headers: { 'content-type': 'image/png' }, payload: png });
      await expectNo5xx({
        method: 'POST',
        url: route.split('?')[0]!,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ image: { png: png.toString('base64') }, kernel: 'sobel-x', mode: 'max' }),
      });
    }
  }, 120_000);

  it("never answers 5xx to the benchmark's hostile requests on image and text routes", async () => {
    const r = createRandom(9);
    let n = 0;
    while (n < Math.max(40, RUNS / 2)) {
      const c = httpCase(r, ['neighbour-0001']);
      if (!/^\/api\/(images|vae|gan|text)/.test(c.path)) continue;
      n++;
      await expectNo5xx({ method: c.method, url: c.path, headers: c.headers, payload: c.body });
    }
  }, 180_000);
});
