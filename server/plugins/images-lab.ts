// All image-lab routes in one plugin for the server: /api/images (convolution playground,
// classify, denoise), /api/vae and /api/gan, sharing one model cache (one image worker thread,
// started by the first request that needs it). Each group is
// also a plugin of its own (images-playground, images-digits, images-vae, images-gan).
import type { FastifyPluginAsync } from 'fastify';
import { ImageModelCache } from '../images/model-cache.js';
import type { ImageLimits } from '../images/route-setup.js';
import { digitsPlugin } from './images-digits.js';
import { ganPlugin } from './images-gan.js';
import { playgroundPlugin } from './images-playground.js';
import { vaePlugin } from './images-vae.js';

export interface ImageLabPluginOptions {
  /** Folder of the trained models (default models/trained). */
  modelsDir?: string;
  limits?: Partial<ImageLimits>;
  /** Hands out the plugin's model cache (for /api/health's model list). */
  onCache?: (cache: ImageModelCache) => void;
}

export const imageLabPlugin: FastifyPluginAsync<ImageLabPluginOptions> = async (app, opts) => {
  const cache = new ImageModelCache(opts.modelsDir);
  app.addHook('onClose', () => cache.dispose());
  opts.onCache?.(cache);
  await app.register(playgroundPlugin, { cache, limits: opts.limits });
  await app.register(digitsPlugin, { cache, limits: opts.limits });
  await app.register(vaePlugin, { cache, limits: opts.limits });
  await app.register(ganPlugin, { cache, limits: opts.limits });
};
