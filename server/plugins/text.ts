// The text service as a Fastify plugin: WebSocket /ws/text (live suggestions and streamed
// generation), POST /api/text/generate (sampled text streamed as NDJSON, one token per line),
// GET /api/text/models. Self-contained: register it with the server's UpgradeRouter.
import type { FastifyPluginAsync } from 'fastify';
import { Readable } from 'node:stream';
import { GENERATE_PATH, TEXT_PATH, type TextErrorCode } from '../../protocol/text-messages.js';
import { generateTokens } from '../../models/lm/generate.js';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { OverloadedError } from '../batching/dynamic-batcher.js';
import { ModelNotFoundError } from '../../models/store/model-store.js';
import { nextGenerationToken } from '../text/generation-budget.js';
import { TextConnection, textLimits } from '../text/text-connection.js';
import { DEFAULT_TEXT_CONFIG, type TextServiceConfig } from '../text/text-config.js';
import { TextService, UnknownModelError } from '../text/text-service.js';
import type { UpgradeRouter } from '../ws/upgrade-router.js';
import { errorBodySchema, upgradeRequired } from '../http/error-shape.js';

export interface TextPluginOptions {
  router: UpgradeRouter;
  config?: TextServiceConfig;
  /** Models to serve as given, in this thread (tests); others load from models/trained on first use, each in a worker thread. */
  models?: LoadedLm[];
  /** tfjs backend of those workers (the server's; default 'auto'). */
  backend?: string;
  /** Receives the service once built (the server's health and stats read it). */
  onService?: (service: TextService) => void;
  /** Told of every error a /ws/text connection meets (metrics), sent to the client or not. */
  onError?: (code: TextErrorCode) => void;
}

const generateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    prompt: { type: 'string', maxLength: 100_000 },
    model: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    temperature: { type: 'number', minimum: 0.05, maximum: 5, default: 0.8 },
    topK: { type: 'integer', minimum: 0, default: 0 },
    maxTokens: { type: 'integer', minimum: 1 },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
  },
} as const;

const errorReply = errorBodySchema;

interface GenerateBody {
  prompt?: string;
  model?: string;
  temperature: number;
  topK: number;
  maxTokens?: number;
  seed?: number;
}

export const textPlugin: FastifyPluginAsync<TextPluginOptions> = async (app, opts) => {
  const config = opts.config ?? DEFAULT_TEXT_CONFIG;
  const service = new TextService(config, opts.models ?? [], undefined, opts.backend);
  opts.onService?.(service);

  opts.router.add(TEXT_PATH, (ws) => new TextConnection(ws, service, opts.onError), { maxPayload: config.maxFrameBytes });
  app.get(TEXT_PATH, upgradeRequired);

  app.get('/api/text/models', async () => {
    const stats = service.stats();
    return {
      default: config.defaultModel,
      models: service.available(),
      limits: textLimits(service),
      sessions: stats.sessions,
      // Per loaded model: its step batcher (the size histogram is left out: 257 numbers).
      batching: Object.fromEntries(Object.entries(stats.models).map(([name, { batchSizeHistogram: _h, ...rest }]) => [name, rest])),
    };
  });

  app.post<{ Body: GenerateBody }>(GENERATE_PATH, { schema: { body: generateBody, response: { 400: errorReply, 404: errorReply, 413: errorReply, 503: errorReply } } }, async (req, reply) => {
    const body = req.body;
    const maxTokens = body.maxTokens ?? Math.min(100, config.maxGenerateTokens);
    if (maxTokens > config.maxGenerateTokens) {
      reply.code(400);
      return { error: 'too-many-tokens', message: `maxTokens ${maxTokens} is above the cap of ${config.maxGenerateTokens}` };
    }
    const prompt = body.prompt ?? '';
    if (prompt.length > config.maxChars) {
      reply.code(413);
      return { error: 'context-too-long', message: `the prompt is longer than ${config.maxChars} characters` };
    }
    let served;
    try {
      served = await service.model(body.model);
    } catch (err) {
      if (err instanceof UnknownModelError || err instanceof ModelNotFoundError) {
        reply.code(404);
        return { error: 'unknown-model', message: err.message };
      }
      throw err;
    }
    let stopped = false;
    req.raw.on('close', () => (stopped = true));
    reply.raw.on('close', () => (stopped = true));
    const started = performance.now();
    const tokens = generateTokens(
      served.batcher.step,
      served.lm.tokenizer,
      served.lm.stepper.zeroState(),
      prompt,
      { temperature: body.temperature, topK: body.topK, maxTokens, seed: body.seed ?? Math.floor(Math.random() * 2 ** 32) },
      () => stopped,
    );
    // One JSON object per line: {"token": "..."} for each token, then {"done": true, ...}.
    async function* lines(): AsyncGenerator<string> {
      let n = 0;
      let text = '';
      try {
        for await (const t of tokens) {
          text += t.text;
          n++;
          yield JSON.stringify({ index: n - 1, token: t.text }) + '\n';
          await nextGenerationToken(service, () => stopped); // the server's tokens per second, shared with /ws/text
        }
        yield JSON.stringify({ done: true, tokens: n, reason: stopped ? 'stopped' : 'length', text, ms: performance.now() - started }) + '\n';
      } catch (err) {
        const code = err instanceof OverloadedError ? 'overloaded' : 'internal';
        yield JSON.stringify({ done: true, tokens: n, reason: 'error', error: code, message: err instanceof Error ? err.message : String(err), text }) + '\n';
      }
    }
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    reply.header('cache-control', 'no-store');
    return reply.send(Readable.from(lines()));
  });

  app.addHook('onClose', async () => {
    await service.close();
  });
};
