// GET /metrics: Prometheus text format (server/metrics/server-metrics.ts). Needs a token when
// the server has tokens (Prometheus: `authorization: { credentials: <token> }`). Also times every
// HTTP response of the server (server/metrics/http-metrics.ts): its hooks sit on the root
// instance, so register this plugin before the route groups it should count.
import type { FastifyPluginAsync } from 'fastify';
import { errorCodeOf } from '../metrics/http-metrics.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

export interface MetricsPluginOptions {
  metrics: ServerMetrics;
}

export const METRICS_PATH = '/metrics';

const plugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, { metrics }) => {
  const errorCodes = new WeakMap<object, string>();
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode >= 400) {
      const code = errorCodeOf(payload);
      if (code) errorCodes.set(req, code);
    }
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.http.response(req.routeOptions.url, req.method, reply.statusCode, reply.elapsedTime / 1000, errorCodes.get(req));
  });
  app.get(METRICS_PATH, async (_req, reply) => {
    reply.header('content-type', metrics.contentType);
    reply.header('cache-control', 'no-store');
    return metrics.text();
  });
};

// Root context (what fastify-plugin does): the hooks see every route group's requests.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const metricsPlugin = plugin;
