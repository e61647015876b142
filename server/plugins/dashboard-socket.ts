// WebSocket /ws/dashboard: viewers subscribe and receive device lists, predictions, signal, stats.
import type { FastifyPluginAsync } from 'fastify';
import type { DashboardHub } from '../dashboards/dashboard-hub.js';
import type { UpgradeRouter } from '../ws/upgrade-router.js';
import { upgradeRequired } from '../http/error-shape.js';

export interface DashboardPluginOptions {
  hub: DashboardHub;
  router: UpgradeRouter;
  /** Largest frame a dashboard may send (subscribe messages are tiny). */
  maxFrameBytes: number;
}

export const DASHBOARD_PATH = '/ws/dashboard';

export const dashboardSocketPlugin: FastifyPluginAsync<DashboardPluginOptions> = async (app, { hub, router, maxFrameBytes }) => {
  router.add(DASHBOARD_PATH, (ws, _req, info) => hub.add(ws, info.authenticated), { maxPayload: maxFrameBytes, tokenInFirstFrame: true });
  app.get(DASHBOARD_PATH, upgradeRequired);
};
