// The image lab's /api/vae routes over the trained VAEs ('vae': 32-D latent, 'vae-2d': 2-D):
// encode a digit, decode latent vectors, sample the prior, interpolate between two digits, latent
// arithmetic (a - b + c) and the 2-D manifold grid. Images in as 28x28 arrays or PNGs; out as
// JSON or PNG by content negotiation (?format=png|json or the Accept header).
import type { FastifyPluginAsync } from 'fastify';
import { latentArithmetic, lerpPath, manifoldGrid } from '../../models/images/vae/latent-ops.js';
import { badRequest, errorResponses } from '../images/errors.js';
import type { VaeName } from '../images/image-jobs.js';
import { imageFieldSchema, type ImageField } from '../images/image-input.js';
import { bytesToMatrix } from '../../models/images/shared/pixels.js';
import { digitListSchema, sendDigits } from '../images/replies.js';
import { fieldDigit, replyFormat } from '../images/request-image.js';
import { formatQuery, jsonOrPng, jsonOrPngBody, modelCacheFor, setupImageRoutes, type ImagePluginOptions } from '../images/route-setup.js';

export type VaePluginOptions = ImagePluginOptions;

interface EncodeOptions {
  image?: ImageField;
  model?: VaeName;
  invert?: boolean;
}
const modelProp = { type: 'string', enum: ['vae', 'vae-2d'], default: 'vae', description: "'vae' (32-D latent) or 'vae-2d'" } as const;
const vectorSchema = { type: 'array', items: { type: 'number' } } as const;
const imagesReply = (extra: Record<string, object> = {}) =>
  jsonOrPng({ type: 'object', required: ['images'], properties: { model: { type: 'string' }, images: digitListSchema, z: { type: 'array', items: vectorSchema }, ...extra } });

export const vaePlugin: FastifyPluginAsync<VaePluginOptions> = async (app, opts) => {
  const limits = setupImageRoutes(app, opts);
  const cache = modelCacheFor(app, opts);
  const digitField = imageFieldSchema(28, 'a digit: 28x28 intensities 0..255 (white on black), or {png} (resized to 28x28)');
  // Async, so that with several digits a bad one rejects beside the others' pending PNG decodes
  // (a throw would leave their rejections unhandled).
  const digit = async (value: ImageField | undefined, what: string, invert?: boolean) => {
    if (value === undefined) throw badRequest('missing-image', `give \`${what}\`: 28x28 numbers 0..255, or {png: base64}`);
    return fieldDigit(cache, value, what, invert);
  };
  // The models run in the image worker (server/images/model-cache.ts).
  const encodeMeans = (model: VaeName, digits: Uint8Array[]) => cache.run('vaeEncode', { model, digits });
  const decode = async (model: VaeName, z: number[][], needs2d?: boolean) => (await cache.run('vaeDecode', { model, z, needs2d })).images;

  app.post<{ Body: EncodeOptions | Buffer; Querystring: EncodeOptions }>(
    '/api/vae/encode',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: { type: 'object', properties: { model: modelProp, invert: { type: 'boolean' } } },
        body: jsonOrPngBody({
          type: 'object',
          additionalProperties: false,
          required: ['image'],
          properties: { image: digitField, model: { type: 'string', enum: ['vae', 'vae-2d'] }, invert: { type: 'boolean' } },
        }),
        response: {
          ...errorResponses,
          200: {
            type: 'object',
            required: ['model', 'latentDim', 'mean', 'logVar'],
            properties: { model: { type: 'string' }, latentDim: { type: 'integer' }, mean: vectorSchema, logVar: vectorSchema },
          },
        },
      },
    },
    async (req) => {
      // A raw PNG body carries its options in the query string; a JSON body in itself.
      const p: EncodeOptions = Buffer.isBuffer(req.body) ? req.query : { ...req.query, ...req.body };
      const d = Buffer.isBuffer(req.body) ? await cache.run('pngDigit', { png: req.body, what: 'body', invert: p.invert }) : await digit(p.image, 'image', p.invert);
      const name = p.model ?? 'vae';
      const { latentDim, codes } = await encodeMeans(name, [d]);
      return { model: name, latentDim, ...codes[0]! };
    },
  );

  app.post<{ Body: { z: number[][]; model?: VaeName }; Querystring: { format?: string } }>(
    '/api/vae/decode',
    {
      schema: {
        querystring: { type: 'object', properties: formatQuery },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['z'],
          properties: {
            z: {
              description: 'a list of latent vectors (one vector: [[...]])',
              type: 'array',
              minItems: 1,
              maxItems: limits.maxImages,
              items: { type: 'array', minItems: 1, maxItems: 64, items: { type: 'number' } },
            },
            model: modelProp,
          },
        },
        response: { ...errorResponses, ...imagesReply() },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const name = req.body.model ?? 'vae';
      const zs = req.body.z;
      const images = await decode(name, zs);
      return sendDigits(reply, cache, format, images, { model: name, z: zs });
    },
  );

  app.get<{ Querystring: { n: number; seed?: number; model?: VaeName; format?: string } }>(
    '/api/vae/sample',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { ...formatQuery, n: { type: 'integer', minimum: 1, maximum: limits.maxImages, default: 16 }, seed: { type: 'integer', minimum: 0, maximum: 4294967295 }, model: modelProp },
        },
        response: { ...errorResponses, ...imagesReply({ seed: { type: 'integer' } }) },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const name = req.query.model ?? 'vae';
      const seed = req.query.seed ?? Math.floor(Math.random() * 2 ** 32);
      const { z: zs, images } = await cache.run('vaeSample', { model: name, n: req.query.n, seed });
      return sendDigits(reply.header('x-seed', String(seed)), cache, format, images, { model: name, seed, z: zs });
    },
  );

  app.post<{ Body: { from: ImageField; to: ImageField; steps?: number; model?: VaeName; invert?: boolean }; Querystring: { format?: string } }>(
    '/api/vae/interpolate',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: { type: 'object', properties: formatQuery },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: {
            from: digitField,
            to: digitField,
            steps: { type: 'integer', minimum: 2, maximum: limits.maxImages, default: 10 },
            model: modelProp,
            invert: { type: 'boolean', default: false },
          },
        },
        response: { ...errorResponses, ...imagesReply() },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const { from, to, invert } = req.body;
      const name = req.body.model ?? 'vae';
      const { codes } = await encodeMeans(name, await Promise.all([digit(from, 'from', invert), digit(to, 'to', invert)]));
      const path = lerpPath(codes[0]!.mean, codes[1]!.mean, req.body.steps ?? 10);
      const images = await decode(name, path);
      return sendDigits(reply, cache, format, images, { model: name, z: path }, path.length);
    },
  );

  app.post<{ Body: { a: ImageField; b: ImageField; c: ImageField; model?: VaeName; invert?: boolean }; Querystring: { format?: string } }>(
    '/api/vae/arithmetic',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: { type: 'object', properties: formatQuery },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['a', 'b', 'c'],
          properties: { a: digitField, b: digitField, c: digitField, model: modelProp, invert: { type: 'boolean', default: false } },
        },
        response: {
          ...errorResponses,
          ...jsonOrPng({
            type: 'object',
            required: ['image', 'z'],
            properties: {
              model: { type: 'string' },
              image: { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
              z: vectorSchema,
              images: digitListSchema,
            },
          }),
        },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const { a, b, c, invert } = req.body;
      const name = req.body.model ?? 'vae';
      const { codes } = await encodeMeans(name, await Promise.all([digit(a, 'a', invert), digit(b, 'b', invert), digit(c, 'c', invert)]));
      const z = latentArithmetic(codes[0]!.mean, codes[1]!.mean, codes[2]!.mean);
      // Reconstructions of a, b, c next to the result, so the strip reads a - b + c = result.
      const images = await decode(name, [codes[0]!.mean, codes[1]!.mean, codes[2]!.mean, z]);
      if (format === 'png') return sendDigits(reply, cache, 'png', images, {}, 4);
      const matrices = images.map((d) => bytesToMatrix(d, 28, 28));
      return { model: name, image: matrices[3], z, images: matrices };
    },
  );

  app.get<{ Querystring: { size: number; coverage: number; format?: string } }>(
    '/api/vae/manifold',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ...formatQuery,
            size: { type: 'integer', minimum: 2, maximum: limits.maxManifoldSide, default: 15 },
            coverage: { type: 'number', exclusiveMinimum: 0.5, exclusiveMaximum: 1, default: 0.95, description: 'grid spans the prior quantiles 1-coverage..coverage on both axes' },
          },
        },
        response: { ...errorResponses, ...imagesReply({ size: { type: 'integer' } }) },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const grid = manifoldGrid(req.query.size, req.query.coverage);
      const images = await decode('vae-2d', grid, true);
      return sendDigits(reply, cache, format, images, { model: 'vae-2d', size: req.query.size, z: grid }, req.query.size);
    },
  );
};
