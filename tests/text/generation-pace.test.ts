// /ws/text generations share a token budget per server (GENERATION_TOKENS_PER_SEC, bursts of as
// many): more tokens than that take at least the time the budget gives them, whoever asks.
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
  await app.listen({ port: 0, host: '127.0.0.1' });
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

describe('generation budget', () => {
  it('three connections generating 250 tokens each share the server\'s tokens per second', async () => {
    const started = performance.now();
    const done = await generate(3, 250);
    const seconds = (performance.now() - started) / 1000;
    expect(done.map((d) => [d.tokens, d.reason])).toEqual([[250, 'length'], [250, 'length'], [250, 'length']]);
    // 750 tokens: the first burst is free, the rest come at the budget's rate (never faster).
    expect(seconds).toBeGreaterThanOrEqual((750 - GENERATION_TOKENS_PER_SEC) / GENERATION_TOKENS_PER_SEC - 0.1);
  }, 30_000);
});
