// One API: every HTTP error has the shape {error: <kebab-code>, message}, 404s and schema failures
// included, and /api/openapi.json lists every route Fastify registered. A real server on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
}, 60_000);
afterAll(() => srv?.close());

async function expectErrorShape(res: Response, status: number, code: string | RegExp): Promise<{ error: string; message: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'message']);
  expect(body.error).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(body.error).toMatch(code);
  expect(typeof body.message === 'string' && body.message.length > 0).toBe(true);
  return body as { error: string; message: string };
}

const post = (path: string, body: string) => fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('one error shape', () => {
  it('answers unknown routes 404 {error, message}, under /api and elsewhere, any method', async () => {
    expect((await expectErrorShape(await fetch(`${srv.url}/api/no-such-route`), 404, 'not-found')).message).toMatch(/GET \/api\/no-such-route/);
    await expectErrorShape(await fetch(`${srv.url}/no-such-file.js`), 404, 'not-found');
    await expectErrorShape(await post('/api/health', '{}'), 404, 'not-found');
    await expectErrorShape(await fetch(`${srv.url}/api/recordings/nothing-here`), 404, 'unknown-recording');
  });

  it('answers schema failures, bad JSON and WebSocket paths in the same shape', async () => {
    expect((await expectErrorShape(await post('/api/text/generate', '{"topK": -1}'), 400, 'invalid-request')).message).toMatch(/topK/);
    await expectErrorShape(await post('/api/text/generate', '{"topK": '), 400, 'invalid-body');
    await expectErrorShape(await fetch(`${srv.url}/api/recordings/bad%20id`), 400, 'invalid-request');
    await expectErrorShape(await fetch(`${srv.url}/api/recordings/x?format=xml`), 400, 'invalid-request');
    // The image routes' own errors (server/images/errors.ts) keep their codes, in the same shape.
    await expectErrorShape(await post('/api/images/convolve', '{"image": 1}'), 400, 'missing-kernel');
    for (const path of ['/ws/device', '/ws/dashboard', '/ws/text']) await expectErrorShape(await fetch(`${srv.url}${path}`), 426, 'upgrade-required');
    await expectErrorShape(await post('/api/recordings/nobody/start', '{}'), 404, 'unknown-device');
  });

  it('refuses WebSocket upgrades to unknown paths in the same shape', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/ws/nowhere`);
    const refused = await new Promise<{ status: number; type: string; body: string }>((resolve) =>
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      }),
    );
    ws.on('error', () => {});
    expect(refused.status).toBe(404);
    expect(refused.type).toMatch(/^application\/json/);
    expect(JSON.parse(refused.body)).toEqual({ error: 'not-found', message: expect.stringMatching(/no WebSocket endpoint at \/ws\/nowhere/) });
  });

  it('answers Sensor Logger pushes with error and message beside the counts', async () => {
    const res = await post('/api/sensor-logger', '{"deviceId": "x"}');
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'invalid', message: expect.stringMatching(/payload/), accepted: 0 });
  });
});

describe('GET /api/openapi.json', () => {
  /** `METHOD /path` of every route in Fastify's route tree (HEAD left out: Fastify adds one per GET). */
  function registeredRoutes(tree: string): Set<string> {
    const out = new Set<string>();
    const stack: string[] = [];
    for (const line of tree.split('\n')) {
      const m = /^([│ ]*)[└├]── (.+?) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
      if (!m) continue;
      const depth = m[1]!.length / 4;
      stack.length = depth;
      stack.push(m[2]!);
      const path = normalize(stack.join(''));
      for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.add(`${method} ${path}`);
    }
    return out;
  }
  /** Parameters as {} whatever their names: Fastify prints ':a|:b', OpenAPI '{a}', a wildcard '*' or '{*}'. */
  const normalize = (path: string) => (path.startsWith('/') ? path : `/${path}`).replace(/:[^/]+|\{[^}]*\}|\*/g, '{}');

  it('lists every HTTP route Fastify registered, with its methods', async () => {
    const res = await fetch(`${srv.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const spec = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(spec.openapi).toMatch(/^3\./);
    const described = new Set(
      Object.entries(spec.paths).flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => m !== 'head')
          .map((m) => `${m.toUpperCase()} ${normalize(path)}`),
      ),
    );
    const registered = registeredRoutes(srv.server.app.printRoutes({ commonPrefix: false }));
    expect(registered.size).toBeGreaterThan(25);
    expect([...registered].sort()).toEqual([...described].sort());
    expect(registered).toContain('DELETE /api/recordings/{}');
    expect(registered).toContain('GET /api/openapi.json');
    // Schemas come from the routes: the recording download's format and its error reply.
    const download = spec.paths['/api/recordings/{id}']!.get as { parameters: { name: string; schema: { enum?: string[] } }[]; responses: Record<string, unknown> };
    expect(download.parameters.find((p) => p.name === 'format')?.schema.enum).toEqual(['ndjson', 'csv']);
    expect(JSON.stringify(download.responses['404'])).toMatch(/"error"/);
    expect(spec.components.schemas.Error).toBeDefined();
  });
});

describe('with tokens', () => {
  it('serves /api/openapi.json to viewers (like other /api reads), refuses strangers 401; DELETE of a recording needs admin', async () => {
    const secured = await startTestServer({ authTokens: ['viewer:viewer-token-1', 'device:device-token-1', 'admin:admin-token-1'] });
    try {
      const get = (path: string, token?: string, method = 'GET') => fetch(`${secured.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
      await expectErrorShape(await get('/api/openapi.json'), 401, 'unauthorized');
      await expectErrorShape(await get('/api/openapi.json', 'device-token-1'), 403, 'forbidden');
      expect((await get('/api/openapi.json', 'viewer-token-1')).status).toBe(200);
      await expectErrorShape(await get('/api/recordings/some-id', 'viewer-token-1', 'DELETE'), 403, 'forbidden');
      await expectErrorShape(await get('/api/recordings/some-id', 'admin-token-1', 'DELETE'), 404, 'unknown-recording');
      // Unknown routes are refused by access control first: a stranger learns nothing of them.
      await expectErrorShape(await get('/api/no-such-route'), 401, 'unauthorized');
      await expectErrorShape(await get('/api/no-such-route', 'viewer-token-1'), 404, 'not-found');
    } finally {
      await secured.close();
    }
  }, 60_000);
});
