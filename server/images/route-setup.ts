// What the image plugins share: options, limits, the raw-PNG body parser and the error handler.
import type { FastifyInstance } from 'fastify';
import { badRequest, installImageErrorHandler } from './errors.js';
import { ImageModelCache } from './model-cache.js';

export interface ImageLimits {
  /** Largest image side for the convolution playground (arrays and PNGs). */
  maxMatrixSide: number;
  /** Largest kernel side. */
  maxKernelSide: number;
  /** Largest request body, bytes (raw PNG or JSON). */
  maxBodyBytes: number;
  /** Most images one request may generate (samples, interpolation steps, decoded vectors). */
  maxImages: number;
  /** Largest side of the VAE manifold grid. */
  maxManifoldSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxMatrixSide: 256,
  maxKernelSide: 15,
  maxBodyBytes: 4 * 1024 * 1024,
  maxImages: 64,
  maxManifoldSide: 25,
};

export interface ImagePluginOptions {
  /** Shared model cache (the server passes one for all image plugins); default: models/trained. */
  cache?: ImageModelCache;
  limits?: Partial<ImageLimits>;
}

/** Installs the raw-PNG body parser and the error handler in a plugin's scope; returns its limits. */
export function setupImageRoutes(app: FastifyInstance, opts: Pick<ImagePluginOptions, 'limits'>): ImageLimits {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...opts.limits };
  // Raw PNG bodies arrive as a Buffer; JSON bodies go through Fastify's own parser.
  app.addContentTypeParser('image/png', { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes }, (_req, body, done) => done(null, body));
  installImageErrorHandler(app);
  // Ajv coerces the query strings "Infinity" and "1e999" to Infinity and skips minimum/maximum
  // for numbers that are not finite, so ?n=Infinity passed the schema and reached the models (500).
  app.addHook('preHandler', async (req) => {
    for (const [key, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'number' && !Number.isFinite(value)) throw badRequest('invalid-request', `querystring/${key} must be a finite number`);
    }
  });
  return limits;
}

/** The model cache given in the options, or one of the plugin's own (disposed when it closes). */
export function modelCacheFor(app: FastifyInstance, opts: ImagePluginOptions): ImageModelCache {
  if (opts.cache) return opts.cache;
  const cache = new ImageModelCache();
  app.addHook('onClose', () => cache.dispose());
  return cache;
}

/** The query options every image route takes. */
export const formatQuery = {
  format: { type: 'string', enum: ['json', 'png'], description: 'reply format; overrides the Accept header' },
} as const;

/** A body that is JSON (validated by `schema`) or a raw PNG (options then go in the query string). */
export function jsonOrPngBody(schema: object) {
  return {
    content: {
      'application/json': { schema },
      'image/png': { schema: { description: 'a raw PNG image' } },
    },
  };
}

/** A 200 reply that is JSON (schema given) or a PNG. */
export function jsonOrPng(schema: object) {
  return {
    200: {
      content: {
        'application/json': { schema },
        'image/png': { schema: { type: 'string', description: 'PNG image (8-bit grayscale)' } },
      },
    },
  };
}
