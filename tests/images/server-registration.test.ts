// The full server (buildServer) serves the image lab's routes next to the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type SensoriumServer } from '../../server/app.js';
import { makeConfig } from '../../server/config.js';

let server: SensoriumServer;

beforeAll(async () => {
  server = await buildServer(makeConfig({ port: 0, host: '127.0.0.1', backend: 'wasm', harModel: 'untrained', demo: false }), { log: () => {} });
  await server.app.ready();
});
afterAll(() => server.close());

describe('image lab inside buildServer', () => {
  it('answers the playground and validates like the bare plugin', async () => {
    const kernels = await server.app.inject({ method: 'GET', url: '/api/images/kernels' });
    expect(kernels.statusCode).toBe(200);
    const conv = await server.app.inject({
      method: 'POST',
      url: '/api/images/convolve',
      payload: {
        image: [
          [1, 2],
          [3, 4],
        ],
        weights: [
          [1, 1],
          [1, 1],
        ],
      },
    });
    expect(conv.json().output).toEqual([[10]]);
    const bad = await server.app.inject({ method: 'GET', url: '/api/vae/sample?n=0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid-request');
  });
});
