// Text generations share a token budget per server (GENERATION_TOKENS_PER_SEC, bursts of as
// many), on /ws/text and POST /api/text/generate alike: more tokens than that take at least the
// time the budget gives them, whoever asks.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { initBackend } from '../../models/runtime/backend.js';
import type { TextServerMessage } from '../../protocol/text-messages.js';
import { textPlugin } from '../../server/plugins/text.js';
import { DEFAULT_TEXT_CONFIG } from '../../server/text/text-config.js';
import { GENERATION_TOKENS_PER_SEC } from '../../server/text/text-connection.js';
import { UpgradeRouter } from '../../server/ws/upgrade-router.js';
import { tinyLm } from './tiny-lm.js';

let app: FastifyInstance;
let url: string;
let base: string;
let char: LoadedLm;

beforeAll(async () => {
  await initBackend('wasm');
  char = await tinyLm('char');
  app = Fastify();
  const router = new UpgradeRouter();
  router.attach(app.server);
  const config = { ...DEFAULT_TEXT_CONFIG, defaultModel: 'tiny-char', allowedModels: ['tiny-char'], maxGenerateTokens: 500 };
  await app.register(textPlugin, { router, config, models: [char] });
  app.addHook('preClose', () => router.close());
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  url = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws/text`;
});
afterAll(async () => {
  await app?.close();
  char?.stepper.dispose();
  char?.model.dispose();
});

/** Runs generations of `tokens` each on their own connections; resolves with their `done` messages. */
async function generate(connections: number, tokens: number): Promise<Extract<TextServerMessage, { type: 'done' }>[]> {
  return Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const ws = new WebSocket(url);
      await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
      const done = new Promise<Extract<TextServerMessage, { type: 'done' }>>((resolve) =>
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as TextServerMessage;
          if (m.type === 'done') resolve(m);
        }),
      );
      ws.send(JSON.stringify({ type: 'generate', id: `g${i}`, prompt: 'the ', maxTokens: tokens, seed: i + 1 }));
      const m = await done;
      ws.close();
      return m;
    }),
  );
}

/** One POST /api/text/generate: the last of its NDJSON lines (done). */
async function httpGenerate(tokens: number, seed: number): Promise<{ tokens: number; reason: string }> {
  const res = await fetch(`${base}/api/text/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'the ', maxTokens: tokens, seed }) });
  const lines = (await res.text()).trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe('generation budget', () => {
  it("three connections generating 250 tokens each share the server's tokens per second", async () => {
    const started = performance.now();
    const done = await generate(3, 250);
    const seconds = (performance.now() - started) / 1000;
    expect(done.map((d) => [d.tokens, d.reason])).toEqual([
      [250, 'length'],
      [250, 'length'],
      [250, 'length'],
    ]);
    // 750 tokens: the first burst is free, the rest come at the budget's rate (never faster).
    expect(seconds).toBeGreaterThanOrEqual((750 - GENERATION_TOKENS_PER_SEC) / GENERATION_TOKENS_PER_SEC - 0.1);
  }, 30_000);

  it('two HTTP generations and one on /ws/text draw on the same budget', async () => {
    // Before, HTTP generations ran as fast as the model stepped (0.7 s for these 750 tokens), and
    // under the hostile mix their sampling took more of the event loop than any other route.
    const started = performance.now();
    const [a, b, [c]] = await Promise.all([httpGenerate(250, 1), httpGenerate(250, 2), generate(1, 250)]);
    const seconds = (performance.now() - started) / 1000;
    expect([a, b, c].map((d) => [d!.tokens, d!.reason])).toEqual([
      [250, 'length'],
      [250, 'length'],
      [250, 'length'],
    ]);
    expect(seconds).toBeGreaterThanOrEqual((750 - GENERATION_TOKENS_PER_SEC) / GENERATION_TOKENS_PER_SEC - 0.1);
  }, 30_000);
});
