// server/plugins/client-static.ts: serves a built client with the right caching, redirects page
// folders to their trailing slash, and explains itself when the client is not built.
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientStaticPlugin } from '../../server/plugins/client-static.js';

let dist: string;
let built: FastifyInstance;
let missing: FastifyInstance;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'client-dist-'));
  await mkdir(join(dist, 'assets'));
  await mkdir(join(dist, 'phone'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>dashboard</title>');
  await writeFile(join(dist, 'phone', 'index.html'), '<!doctype html><title>phone</title>');
  await writeFile(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
  built = Fastify();
  built.get('/api/health', async () => ({ status: 'ok' }));
  await built.register(clientStaticPlugin, { distDir: dist });
  missing = Fastify({ logger: false });
  await missing.register(clientStaticPlugin, { distDir: join(dist, 'nope') });
});

afterAll(async () => {
  await built?.close();
  await missing?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('client static plugin', () => {
  it('serves pages with no-cache and hashed assets as immutable', async () => {
    const index = await built.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>dashboard</title>');
    expect(index.headers['cache-control']).toBe('no-cache');
    const phone = await built.inject({ url: '/phone/' });
    expect(phone.body).toContain('<title>phone</title>');
    const asset = await built.inject({ url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('redirects /phone to /phone/, leaves API routes alone and 404s unknown files', async () => {
    const res = await built.inject({ url: '/phone' });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/phone/');
    expect((await built.inject({ url: '/api/health' })).json()).toEqual({ status: 'ok' });
    expect((await built.inject({ url: '/nothing-here.js' })).statusCode).toBe(404);
  });

  it('answers every page with build instructions when the client is not built', async () => {
    for (const url of ['/', '/phone/', '/typing/', '/lab/']) {
      const res = await missing.inject({ url });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('npm run build:client');
    }
  });
});
