// WebSocket /ws/device: phones, simulators and replays stream samples and get predictions.
import type { FastifyPluginAsync } from 'fastify';
import { DeviceConnection, type DeviceConnectionDeps } from '../devices/device-connection.js';
import type { UpgradeRouter } from '../ws/upgrade-router.js';
import { upgradeRequired } from '../http/error-shape.js';

export interface SocketPluginOptions {
  /** What each device connection is built with. */
  connections: DeviceConnectionDeps;
  router: UpgradeRouter;
}

export const DEVICE_PATH = '/ws/device';

export const deviceSocketPlugin: FastifyPluginAsync<SocketPluginOptions> = async (app, { connections, router }) => {
  router.add(DEVICE_PATH, (ws, _req, info) => new DeviceConnection(ws, connections, info), { maxPayload: connections.config.limits.maxFrameBytes, tokenInFirstFrame: true });
  app.get(DEVICE_PATH, upgradeRequired);
};
