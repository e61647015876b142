import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import Fastify, { type FastifyInstance } from 'fastify';
import * as tf from '@tensorflow/tfjs';
import { WebSocket } from 'ws';
import { initBackend } from '../../models/runtime/backend.js';
import { textPlugin } from '../../server/plugins/text.js';
import { DEFAULT_TEXT_CONFIG, type TextServiceConfig } from '../../server/text/text-config.js';
import type { TextService } from '../../server/text/text-service.js';
import { UpgradeRouter } from '../../server/ws/upgrade-router.js';
import type { TextServerMessage } from '../../protocol/text-messages.js';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { tinyLm } from './tiny-lm.js';

let app: FastifyInstance;
let router: UpgradeRouter;
let url: string;
let service: TextService;
let word: LoadedLm;
let char: LoadedLm;

const config: TextServiceConfig = {
  ...DEFAULT_TEXT_CONFIG,
  defaultModel: 'tiny-word',
  allowedModels: ['tiny-word', 'tiny-char'],
  maxSessions: 3,
  maxChars: 300,
  maxGenerateTokens: 40,
  idleTimeoutMs: 1500,
};

class Client {
  readonly messages: TextServerMessage[] = [];
  private waiters: { pred: (m: TextServerMessage) => boolean; resolve: (m: TextServerMessage) => void }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as TextServerMessage;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
  }
  static async open(): Promise<Client> {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws/text');
    const c = new Client(ws);
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    return c;
  }
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }
  next<T extends TextServerMessage['type']>(type: T, pred: (m: Extract<TextServerMessage, { type: T }>) => boolean = () => true): Promise<Extract<TextServerMessage, { type: T }>> {
    const found = this.messages.find((m) => m.type === type && pred(m as never));
    if (found) {
      this.messages.splice(this.messages.indexOf(found), 1);
      return Promise.resolve(found as never);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${type} message in time; got ${JSON.stringify(this.messages)}`)), 10_000);
      this.waiters.push({
        pred: (m) => m.type === type && pred(m as never),
        resolve: (m) => {
          clearTimeout(t);
          this.messages.splice(this.messages.indexOf(m), 1);
          resolve(m as never);
        },
      });
    });
  }
  close(): void {
    this.ws.close();
  }
}

describe('text service over HTTP and WebSocket', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    word = await tinyLm('word');
    char = await tinyLm('char');
    app = Fastify();
    router = new UpgradeRouter();
    router.attach(app.server);
    await app.register(textPlugin, { router, config, models: [word, char], onService: (s) => (service = s) });
    app.addHook('preClose', () => router.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const a = app.server.address() as { port: number };
    url = `http://127.0.0.1:${a.port}`;
  });
  afterAll(async () => {
    await app?.close();
    for (const m of [word, char]) {
      m?.stepper.dispose();
      m?.model.dispose();
    }
  });

  it('answers edits with completions of the typed word and next words, and rolls back deletions', async () => {
    const c = await Client.open();
    c.send({ type: 'start', k: 3 });
    const ready = await c.next('ready');
    expect(ready).toMatchObject({ model: 'tiny-word', tokens: 'word', k: 3 });
    c.send({ type: 'edit', seq: 1, insert: 'the whale and the s' });
    const s1 = await c.next('suggestions', (m) => m.seq === 1);
    expect(s1.prefix).toBe('s');
    expect(s1.completions.length).toBeGreaterThan(0);
    for (const w of s1.completions) expect(w.word.startsWith('s')).toBe(true);
    expect(s1.next).toHaveLength(3);
    expect(s1.contextTokens).toBe(4);
    expect(s1.latencyMs).toBeGreaterThanOrEqual(0);
    c.send({ type: 'edit', seq: 2, delete: 6 }); // "the whale and" + " the s" removed
    const s2 = await c.next('suggestions', (m) => m.seq === 2);
    expect(s2.prefix).toBe('and');
    expect(s2.contextTokens).toBe(2);
    // Same answer as a fresh session given the same text at once.
    const d = await Client.open();
    d.send({ type: 'start' });
    await d.next('ready');
    d.send({ type: 'edit', seq: 7, insert: 'the whale and' });
    const fresh = await d.next('suggestions', (m) => m.seq === 7);
    expect(s2.completions).toEqual(fresh.completions);
    expect(s2.next).toEqual(fresh.next);
    c.close();
    d.close();
  });

  it('streams a generation over the socket and over HTTP (NDJSON), within the cap', async () => {
    const c = await Client.open();
    c.send({ type: 'start', model: 'tiny-char' });
    await c.next('ready');
    c.send({ type: 'generate', id: 'g1', prompt: 'The whale ', maxTokens: 12, seed: 3, temperature: 1 });
    const done = await c.next('done', (m) => m.id === 'g1');
    expect(done).toMatchObject({ tokens: 12, reason: 'length' });
    const tokens = c.messages.filter((m) => m.type === 'token') as Extract<TextServerMessage, { type: 'token' }>[];
    expect(tokens.map((t) => t.text).join('')).toBe(done.text);
    expect(tokens.map((t) => t.index)).toEqual([...Array(12).keys()]);
    c.send({ type: 'generate', id: 'g2', maxTokens: 41 });
    expect((await c.next('error', (m) => m.id === 'g2')).code).toBe('too-many-tokens');
    c.close();

    const res = await fetch(`${url}/api/text/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'call me', maxTokens: 8, seed: 5, topK: 20 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(9);
    expect(lines[8]).toMatchObject({ done: true, tokens: 8, reason: 'length' });
    expect(
      lines
        .slice(0, 8)
        .map((l) => l.token)
        .join(''),
    ).toBe(lines[8].text);
    // Seeded sampling is reproducible.
    const again = await fetch(`${url}/api/text/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'call me', maxTokens: 8, seed: 5, topK: 20 }),
    });
    expect(JSON.parse((await again.text()).trim().split('\n').pop()!).text).toBe(lines[8].text);

    const bad = await fetch(`${url}/api/text/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxTokens: 41 }) });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${url}/api/text/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'nope' }) });
    expect(unknown.status).toBe(404);
    const invalid = await fetch(`${url}/api/text/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ temperature: 'hot' }) });
    expect(invalid.status).toBe(400);
  });

  it('refuses bad frames, edits before start, overlong text, unknown models and extra sessions with error frames', async () => {
    const c = await Client.open();
    c.send('not json');
    expect((await c.next('error')).code).toBe('bad-frame');
    c.send({ type: 'edit', seq: 1, insert: 'x' });
    expect((await c.next('error')).code).toBe('not-started');
    c.send({ type: 'edit', seq: -1 });
    expect((await c.next('error')).code).toBe('invalid');
    c.send({ type: 'start', model: 'missing-model' });
    expect((await c.next('error')).code).toBe('unknown-model');
    c.send({ type: 'start' });
    await c.next('ready');
    c.send({ type: 'edit', seq: 2, insert: 'y'.repeat(301) });
    const err = await c.next('error');
    expect(err).toMatchObject({ code: 'context-too-long', seq: 2 });
    // The session still works after a refused edit.
    c.send({ type: 'edit', seq: 3, insert: 'the ' });
    await c.next('suggestions', (m) => m.seq === 3);

    const others = await Promise.all([Client.open(), Client.open(), Client.open()]);
    others.forEach((o) => o.send({ type: 'start' }));
    const answers = await Promise.all(others.map((o) => Promise.race([o.next('ready'), o.next('error')])));
    expect(answers.filter((a) => a.type === 'error' && a.code === 'too-many-sessions')).toHaveLength(1);
    others.forEach((o) => o.close());
    c.close();
  });

  it('closes idle sessions and frees their slot; tensors stay flat over many edits', async () => {
    const c = await Client.open();
    c.send({ type: 'start' });
    await c.next('ready');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 60; i++) {
      c.send({ type: 'edit', seq: i, ...(i % 7 === 6 ? { delete: 4 } : { insert: 'sea ' }) });
      await c.next('suggestions', (m) => m.seq === i);
    }
    expect(tf.memory().numTensors).toBe(before);
    const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)));
    expect((await c.next('error')).code).toBe('idle-timeout');
    expect(await closed).toBe(CloseCode.textIdle);
    await new Promise((r) => setTimeout(r, 50));
    expect(service.sessions).toBe(0);
  });
});
