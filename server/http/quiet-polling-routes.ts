// Pages and monitors poll a few routes all day (the dashboard and load balancers /api/health,
// Prometheus /metrics, the recordings page its list every 2 s): at info, their request lines
// would bury everything else. Their requests log at warn and above (errors still show) unless
// the server logs at debug or trace, where every request shows.
import type { FastifyInstance } from 'fastify';
import { METRICS_PATH } from '../plugins/metrics.js';
import { RECORDINGS_PATH } from '../plugins/recordings.js';

export const POLLED_ROUTES: readonly string[] = ['/api/health', METRICS_PATH, RECORDINGS_PATH];

/** Call before the routes are registered (an onRoute hook sees only later routes). */
export function quietPollingRoutes(app: FastifyInstance): void {
  if (app.log.level !== 'info') return; // debug/trace: show them; warn and above: nothing to hide
  app.addHook('onRoute', (route) => {
    // Fastify fills in '' (or a plugin's own level) before this hook: only a route's own choice is kept.
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!route.logLevel && POLLED_ROUTES.includes(route.url) && methods.every((m) => m === 'GET' || m === 'HEAD')) {
      route.logLevel = 'warn';
    }
  });
}
