// GET /api/health: is the server up, on which backend, with which models, serving how many.
import type { FastifyPluginAsync } from 'fastify';
import type { ModelStatus, ServerContext } from '../context.js';

export interface HealthPluginOptions {
  ctx: ServerContext;
  /** Models of other route groups (text, image lab), listed after the HAR model; they load on first use. */
  otherModels?: () => ModelStatus[];
}

const modelSchema = {
  type: 'object',
  required: ['name', 'loaded', 'trained'],
  properties: {
    name: { type: 'string' },
    loaded: { type: 'boolean' },
    trained: { type: 'boolean' },
    source: { type: 'string' },
    error: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

const healthResponse = {
  type: 'object',
  // With tokens configured, callers without one (load balancers' liveness probes) get only
  // status and uptime; the rest would tell strangers what runs here and how busy it is.
  required: ['status', 'uptimeSec'],
  properties: {
    /** 'degraded' when something works but not as it should (e.g. an untrained model). */
    status: { type: 'string', enum: ['ok', 'degraded'] },
    backend: { type: 'string' },
    models: { type: 'array', items: modelSchema },
    devicesConnected: { type: 'integer' },
    dashboardsConnected: { type: 'integer' },
    /** Messages not sent to dashboards that read too slowly. */
    dashboardMessagesDropped: { type: 'integer' },
    uptimeSec: { type: 'number' },
    inference: {
      type: 'object',
      properties: {
        windowsPerSec: { type: 'number' },
        meanBatch: { type: 'number' },
        queueDepth: { type: 'integer' },
        latencyMs: { type: 'object', properties: { p50: { type: 'number' }, p99: { type: 'number' } } },
        predictions: { type: 'integer' },
        overloaded: { type: 'integer' },
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (app, { ctx, otherModels }) => {
  app.get('/api/health', { schema: { response: { 200: healthResponse } } }, async (req) => {
    const batcher = ctx.inference.stats();
    const latency = ctx.stats.latencyMs();
    const dashboards = ctx.dashboards();
    const others = otherModels?.() ?? [];
    // A model that loads on first use is fine unloaded; one that failed to load is not.
    const degraded = ctx.models.some((m) => !m.loaded || !m.trained) || others.some((m) => m.error !== undefined);
    const status = degraded ? 'degraded' : 'ok';
    const uptimeSec = Math.round((performance.now() - ctx.startedAt) / 100) / 10;
    if (!ctx.auth.authorizes(req.raw)) return { status, uptimeSec };
    return {
      status,
      backend: ctx.backend,
      models: [...ctx.models, ...others],
      devicesConnected: ctx.registry.size,
      dashboardsConnected: dashboards.connected,
      dashboardMessagesDropped: dashboards.droppedMessages,
      uptimeSec,
      inference: {
        windowsPerSec: round2(ctx.stats.windowsPerSec()),
        meanBatch: round2(batcher.meanBatch),
        queueDepth: batcher.queueDepth,
        latencyMs: { p50: round2(latency.p50), p99: round2(latency.p99) },
        predictions: ctx.stats.totals().predictions,
        overloaded: batcher.overloaded,
      },
      warnings: ctx.warnings,
    };
  });
};

const round2 = (v: number) => Math.round(v * 100) / 100;
