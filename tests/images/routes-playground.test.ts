// The convolution playground routes on a bare Fastify instance (no models needed).
import Fastify, { type FastifyInstance } from 'fastify';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGrayPng } from '../../models/images/shared/png.js';
import { playgroundPlugin } from '../../server/plugins/images-playground.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  await app.register(playgroundPlugin, { limits: { maxMatrixSide: 64 } });
  await app.ready();
});
afterAll(() => app.close());

const binary5 = [
  [1, 1, 1, 0, 0],
  [0, 1, 1, 1, 0],
  [0, 0, 1, 1, 1],
  [0, 0, 1, 1, 0],
  [0, 1, 1, 0, 0],
];

describe('/api/images playground', () => {
  it('lists the kernels with the sign convention', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/images/kernels' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.kernels.map((k: { name: string }) => k.name)).toEqual(expect.arrayContaining(['sobel-x', 'laplacian-4', 'box-blur']));
    expect(body.kernels.find((k: { name: string }) => k.name === 'box-blur').divisor).toBe(9);
    expect(body.convention).toMatch(/cross-correlation/);
  });

  it('serves the worked examples with their outputs', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/images/examples' });
    const ex = res.json().examples;
    expect(ex.find((e: { name: string }) => e.name === 'sobel-x-8x8').output[0][0]).toBe(5);
    expect(ex.find((e: { name: string }) => e.name === 'binary-5x5').output).toEqual([
      [4, 3, 4],
      [2, 4, 3],
      [2, 3, 4],
    ]);
  });

  it('convolves a JSON matrix exactly', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/images/convolve',
      payload: {
        image: binary5,
        weights: [
          [1, 0, 1],
          [0, 1, 0],
          [1, 0, 1],
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      output: [
        [4, 3, 4],
        [2, 4, 3],
        [2, 3, 4],
      ],
      height: 3,
      width: 3,
      exact: true,
      stride: 1,
      padding: 0,
    });
  });

  it('applies a named kernel with stride and padding', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: binary5, kernel: 'box-blur', padding: 1, stride: 2 } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect([body.height, body.width]).toEqual([3, 3]);
    expect(body.output[0][0]).toBeCloseTo((1 + 1 + 0 + 1) / 9, 12);
    expect(body.exact).toBe(false);
  });

  it('answers a non-integer output size with a 400 that explains it', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: binary5, kernel: 'sobel-x', stride: 2, padding: 1 } });
    // (5 + 2 - 3)/2 + 1 = 3 fits; stride 3 does not: (5 - 3)/3 + 1
    expect(res.statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: binary5, kernel: 'sobel-x', stride: 3 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/not a whole number/);
  });

  it('rejects unknown kernels, ragged matrices, missing fields and oversized images', async () => {
    const unknown = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: binary5, kernel: 'emboss' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toBe('unknown-kernel');
    const ragged = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: [[1, 2], [3]], kernel: 'identity' } });
    expect(ragged.statusCode).toBe(400);
    expect(ragged.json().error).toBe('bad-matrix');
    const missing = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: binary5 } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('missing-kernel');
    const both = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: binary5, kernel: 'identity', weights: [[1]] } });
    expect(both.statusCode).toBe(400);
    const big = Array.from({ length: 65 }, () => new Array(65).fill(0));
    const tooBig = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: big, kernel: 'identity' } });
    expect(tooBig.statusCode).toBe(400);
    const zeroDivisor = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: binary5, kernel: 'identity', divisor: 0 } });
    expect(zeroDivisor.statusCode).toBe(400);
  });

  it('takes a raw PNG body with options in the query and answers PNG when asked', async () => {
    const pixels = new Uint8Array(10 * 10);
    for (let r = 0; r < 10; r++) for (let c = 5; c < 10; c++) pixels[r * 10 + c] = 200; // a vertical edge
    const png = encodeGrayPng({ width: 10, height: 10, pixels });
    const json = await app.inject({ method: 'POST', url: '/api/images/convolve?kernel=sobel-x', headers: { 'content-type': 'image/png' }, payload: png });
    expect(json.statusCode).toBe(200);
    const out = json.json().output as number[][];
    expect(out.length).toBe(8);
    expect(Math.max(...out[0]!)).toBe(800); // (200 - 0) * (1 + 2 + 1)
    const res = await app.inject({ method: 'POST', url: '/api/images/convolve?kernel=sobel-x&scale=abs', headers: { 'content-type': 'image/png', accept: 'image/png' }, payload: png });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const decoded = PNG.sync.read(res.rawPayload);
    expect([decoded.width, decoded.height]).toEqual([8, 8]);
    expect(decoded.data[4 * 3]).toBe(255); // column 3 straddles the edge: |800| clipped
  });

  it('accepts a base64 PNG inside JSON and refuses garbage', async () => {
    const png = encodeGrayPng({ width: 3, height: 3, pixels: Uint8Array.from([0, 0, 0, 0, 9, 0, 0, 0, 0]) });
    const res = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: { png: `data:image/png;base64,${png.toString('base64')}` }, kernel: 'laplacian-4' } });
    expect(res.json().output).toEqual([[-36]]);
    const plain = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: { png: png.toString('base64') }, kernel: 'identity', padding: 1 } });
    expect(plain.json().output).toEqual([
      [0, 0, 0],
      [0, 9, 0],
      [0, 0, 0],
    ]);
    const bad = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: { png: 'bm90IGEgcG5nIGF0IGFsbA==' }, kernel: 'identity' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('bad-png');
    const bare = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: png.toString('base64'), kernel: 'identity' } });
    expect(bare.statusCode).toBe(400);
  });

  it('keeps single-row and single-column matrices intact (no type coercion)', async () => {
    const row = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: [[1, 2, 3]], weights: [[1, 10]] } });
    expect(row.json().output).toEqual([[21, 32]]);
    const col = await app.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: [[1], [2]], weights: [[3]] } });
    expect(col.json().output).toEqual([[3], [6]]);
  });

  it('pools with max and average', async () => {
    const image = [
      [1, 3, 2, 0],
      [4, 6, 5, 7],
      [8, 1, 0, 2],
      [3, 5, 9, 4],
    ];
    const max = await app.inject({ method: 'POST', url: '/api/images/pool', payload: { image, mode: 'max' } });
    expect(max.json().output).toEqual([
      [6, 7],
      [8, 9],
    ]);
    const avg = await app.inject({ method: 'POST', url: '/api/images/pool', payload: { image, mode: 'avg', size: 2, stride: 2 } });
    expect(avg.json().output).toEqual([
      [3.5, 3.5],
      [4.25, 3.75],
    ]);
    const bad = await app.inject({ method: 'POST', url: '/api/images/pool', payload: { image, mode: 'median' } });
    expect(bad.statusCode).toBe(400);
  });

  it('negotiates: ties go to JSON, image/* beats */*, unacceptable types get 406', async () => {
    const payload = { image: binary5, kernel: 'identity' };
    const star = await app.inject({ method: 'POST', url: '/api/images/convolve', headers: { accept: '*/*' }, payload });
    expect(star.headers['content-type']).toMatch(/application\/json/);
    const img = await app.inject({ method: 'POST', url: '/api/images/convolve', headers: { accept: 'image/*,*/*;q=0.8' }, payload });
    expect(img.headers['content-type']).toBe('image/png');
    const none = await app.inject({ method: 'POST', url: '/api/images/convolve', headers: { accept: 'text/html' }, payload });
    expect(none.statusCode).toBe(406);
    const forced = await app.inject({ method: 'POST', url: '/api/images/convolve?format=png', headers: { accept: 'application/json' }, payload });
    expect(forced.headers['content-type']).toBe('image/png');
  });
});
