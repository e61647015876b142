// WebSocket /ws/device: phones, simulators and replays stream samples and get predictions.
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { DeviceConnection } from '../devices/device-connection.js';
import type { UpgradeRouter } from '../ws/upgrade-router.js';

export interface SocketPluginOptions {
  ctx: ServerContext;
  router: UpgradeRouter;
}

export const DEVICE_PATH = '/ws/device';

export const deviceSocketPlugin: FastifyPluginAsync<SocketPluginOptions> = async (app, { ctx, router }) => {
  router.add(DEVICE_PATH, (ws, _req, info) => new DeviceConnection(ws, ctx, info), { maxPayload: ctx.config.limits.maxFrameBytes, tokenInFirstFrame: true });
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
