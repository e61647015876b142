// A loopback server for the image lab page: the real image-lab plugin (/api/images, /api/vae,
// /api/gan) over a models folder (untrained stand-ins from the image tests' helper, or an empty
// folder to see the page without models), plus the client's static plugin.
import Fastify from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../models/runtime/backend.js';
import { clientStaticPlugin } from '../../../server/plugins/client-static.js';
import { imageLabPlugin } from '../../../server/plugins/images-lab.js';
import { saveUntrainedImageModels } from '../../images/helpers/untrained-models.js';

export interface LabTestServer {
  url: string;
  close(): Promise<void>;
}

export async function startLabTestServer(models: 'untrained' | 'none'): Promise<LabTestServer> {
  await initBackend('wasm', () => {});
  const modelsDir = models === 'untrained' ? await saveUntrainedImageModels() : await mkdtemp(join(tmpdir(), 'lab-no-models-'));
  const app = Fastify();
  await app.register(imageLabPlugin, { modelsDir });
  await app.register(clientStaticPlugin, {});
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await rm(modelsDir, { recursive: true, force: true });
    },
  };
}
