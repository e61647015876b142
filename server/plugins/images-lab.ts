// All image-lab routes in one plugin for the server: /api/images (convolution playground,
// classify, denoise), /api/vae and /api/gan, sharing one lazily loaded model cache.
import type { FastifyPluginAsync } from 'fastify';
import { ImageModelCache } from '../images/model-cache.js';
import type { ImageLimits } from '../images/route-setup.js';
import { ganPlugin } from './images-gan.js';
import { vaePlugin } from './images-vae.js';
import { imagesPlugin } from './images.js';

export interface ImageLabPluginOptions {
  /** Folder of the trained models (default models/trained). */
  modelsDir?: string;
  limits?: Partial<ImageLimits>;
}

export const imageLabPlugin: FastifyPluginAsync<ImageLabPluginOptions> = async (app, opts) => {
  const cache = new ImageModelCache(opts.modelsDir);
  app.addHook('onClose', () => cache.dispose());
  await app.register(imagesPlugin, { cache, limits: opts.limits });
  await app.register(vaePlugin, { cache, limits: opts.limits });
  await app.register(ganPlugin, { cache, limits: opts.limits });
};
