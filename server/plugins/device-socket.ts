// WebSocket /ws/device: phones, simulators and replays stream samples and get predictions.
import type { FastifyPluginAsync } from 'fastify';
import { DeviceConnection, type DeviceConnectionDeps } from '../devices/device-connection.js';
import type { UpgradeRouter } from '../ws/upgrade-router.js';

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

/** A plain GET on a WebSocket path: say what to do instead of a bare 404. */
export const upgradeRequired = {
  schema: { response: { 426: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } } },
  handler: async (_req: unknown, reply: { code(n: number): unknown }) => {
    reply.code(426);
    return { error: 'Upgrade Required', message: 'this endpoint speaks WebSocket; connect with a WebSocket client' };
  },
};
