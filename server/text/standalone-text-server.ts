// The text service alone on a loopback port: for the typist simulator and the lm-stream bench
// when no --url is given (the full server in server/app.ts registers the same plugin).
import Fastify from 'fastify';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { currentBackend } from '../../models/runtime/backend.js';
import { textPlugin } from '../plugins/text.js';
import { UpgradeRouter } from '../ws/upgrade-router.js';
import type { TextServiceConfig } from './text-config.js';
import type { TextService } from './text-service.js';

export interface StandaloneTextServer {
  url: string;
  service: TextService;
  close(): Promise<void>;
}

export async function startTextServer(config: TextServiceConfig, models: LoadedLm[] = []): Promise<StandaloneTextServer> {
  const app = Fastify();
  const router = new UpgradeRouter();
  router.attach(app.server);
  let service: TextService | undefined;
  await app.register(textPlugin, { router, config, models, backend: currentBackend()?.name, onService: (s) => (service = s) });
  app.addHook('preClose', () => router.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, service: service!, close: () => app.close() };
}
