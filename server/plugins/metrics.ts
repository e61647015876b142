// GET /metrics: Prometheus text format (server/metrics/server-metrics.ts). Needs a token when
// the server has tokens (Prometheus: `authorization: { credentials: <token> }`).
import type { FastifyPluginAsync } from 'fastify';
import type { ServerMetrics } from '../metrics/server-metrics.js';

export interface MetricsPluginOptions {
  metrics: ServerMetrics;
}

export const METRICS_PATH = '/metrics';

export const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, { metrics }) => {
  app.get(METRICS_PATH, async (_req, reply) => {
    reply.header('content-type', metrics.contentType);
    reply.header('cache-control', 'no-store');
    return metrics.text();
  });
};
