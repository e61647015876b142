// A loopback server for the typing page: the real text plugin (/ws/text, /api/text/*) serving
// tiny freshly trained models under the names the page asks for, plus the client's static
// plugin. Trained models are not needed (a fresh clone has none yet); the page cannot tell.
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedLm } from '../../../models/lm/lm-store.js';
import { initBackend } from '../../../models/runtime/backend.js';
import { clientStaticPlugin } from '../../../server/plugins/client-static.js';
import { textPlugin } from '../../../server/plugins/text.js';
import { DEFAULT_TEXT_CONFIG } from '../../../server/text/text-config.js';
import { UpgradeRouter } from '../../../server/ws/upgrade-router.js';
import { tinyLm } from '../../text/tiny-lm.js';

export interface TextTestServer {
  url: string;
  models: LoadedLm[];
  close(): Promise<void>;
}

/** `writersDir`: where the page's writer histories go (a temporary folder, never the checkout's data/). */
export async function startTextTestServer(options: { writersDir?: string } = {}): Promise<TextTestServer> {
  const writersDir = options.writersDir ?? mkdtempSync(join(tmpdir(), 'sensorium-writers-'));
  await initBackend('wasm', () => {});
  const models = [await tinyLm('word', 'english-word'), await tinyLm('char', 'shakespeare-char')];
  const app = Fastify();
  const router = new UpgradeRouter();
  router.attach(app.server);
  await app.register(textPlugin, { router, config: { ...DEFAULT_TEXT_CONFIG, allowedModels: models.map((m) => m.name), writersDir }, models });
  await app.register(clientStaticPlugin, {});
  app.addHook('preClose', () => router.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    models,
    async close() {
      await app.close();
      for (const m of models) {
        m.stepper.dispose();
        m.model.dispose();
      }
    },
  };
}
