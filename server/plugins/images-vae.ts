// The image lab's /api/vae routes over the trained VAEs ('vae': 32-D latent, 'vae-2d': 2-D):
// encode a digit, decode latent vectors, sample the prior, interpolate between two digits, latent
// arithmetic (a - b + c) and the 2-D manifold grid. Images in as 28x28 arrays or PNGs; out as
// JSON or PNG by content negotiation (?format=png|json or the Accept header).
import type { FastifyPluginAsync } from 'fastify';
import { latentDimOf } from '../../models/images/vae/model.js';
import { decode, encode, latentArithmetic, lerpPath, manifoldGrid, samplePrior } from '../../models/images/vae/latent-ops.js';
import { digitsToTensor, tensorToDigits } from '../images/digit-tensors.js';
import { badRequest, errorResponses } from '../images/errors.js';
import { decodePng, digitFromField, digitFromPng, imageFieldSchema, type ImageField } from '../images/image-input.js';
import { digitListSchema, sendDigits } from '../images/replies.js';
import { replyFormat } from '../images/request-image.js';
import { formatQuery, jsonOrPng, jsonOrPngBody, modelCacheFor, setupImageRoutes, type ImagePluginOptions } from '../images/route-setup.js';

export type VaePluginOptions = ImagePluginOptions;

type VaeName = 'vae' | 'vae-2d';
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
  const digit = (value: ImageField | undefined, what: string, invert?: boolean) => {
    if (value === undefined) throw badRequest('missing-image', `give \`${what}\`: 28x28 numbers 0..255, or {png: base64}`);
    return digitFromField(value, what, { invert });
  };
  const encodeMeans = async (name: VaeName, digits: Uint8Array[]) => {
    const vae = await cache.get(name);
    const x = digitsToTensor(digits);
    try {
      return { vae, codes: await encode(vae, x) };
    } finally {
      x.dispose();
    }
  };

  app.post<{ Body: EncodeOptions | Buffer; Querystring: EncodeOptions }>(
    '/api/vae/encode',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: { type: 'object', properties: { model: modelProp, invert: { type: 'boolean' } } },
        body: jsonOrPngBody({ type: 'object', additionalProperties: false, required: ['image'], properties: { image: digitField, model: { type: 'string', enum: ['vae', 'vae-2d'] }, invert: { type: 'boolean' } } }),
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
      const d = Buffer.isBuffer(req.body) ? digitFromPng(decodePng(req.body, 'body'), { invert: p.invert }) : digit(p.image, 'image', p.invert);
      const name = p.model ?? 'vae';
      const { vae, codes } = await encodeMeans(name, [d]);
      return { model: name, latentDim: latentDimOf(vae), ...codes[0]! };
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
      const vae = await cache.get(name);
      const d = latentDimOf(vae);
      const bad = zs.findIndex((z) => z.length !== d);
      if (bad >= 0) throw badRequest('bad-latent', `model '${name}' has a ${d}-D latent space; vector ${bad} has ${zs[bad]!.length} components`);
      const images = await tensorToDigits(decode(vae, zs));
      return sendDigits(reply, format, images, { model: name, z: zs });
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
      const vae = await cache.get(name);
      const zs = await samplePrior(vae, req.query.n, seed);
      const images = await tensorToDigits(decode(vae, zs));
      return sendDigits(reply.header('x-seed', String(seed)), format, images, { model: name, seed, z: zs });
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
          properties: { from: digitField, to: digitField, steps: { type: 'integer', minimum: 2, maximum: limits.maxImages, default: 10 }, model: modelProp, invert: { type: 'boolean', default: false } },
        },
        response: { ...errorResponses, ...imagesReply() },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const { from, to, invert } = req.body;
      const name = req.body.model ?? 'vae';
      const { vae, codes } = await encodeMeans(name, [digit(from, 'from', invert), digit(to, 'to', invert)]);
      const path = lerpPath(codes[0]!.mean, codes[1]!.mean, req.body.steps ?? 10);
      const images = await tensorToDigits(decode(vae, path));
      return sendDigits(reply, format, images, { model: name, z: path }, path.length);
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
      const { vae, codes } = await encodeMeans(name, [digit(a, 'a', invert), digit(b, 'b', invert), digit(c, 'c', invert)]);
      const z = latentArithmetic(codes[0]!.mean, codes[1]!.mean, codes[2]!.mean);
      // Reconstructions of a, b, c next to the result, so the strip reads a - b + c = result.
      const images = await tensorToDigits(decode(vae, [codes[0]!.mean, codes[1]!.mean, codes[2]!.mean, z]));
      if (format === 'png') return sendDigits(reply, 'png', images, {}, 4);
      const json = sendDigits(reply, 'json', images) as { images: number[][][] };
      return { model: name, image: json.images[3], z, images: json.images };
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
      const vae = await cache.get('vae-2d');
      if (latentDimOf(vae) !== 2) throw badRequest('not-2d', 'the manifold needs the 2-D latent VAE (vae-2d)');
      const grid = manifoldGrid(req.query.size, req.query.coverage);
      const images = await tensorToDigits(decode(vae, grid));
      return sendDigits(reply, format, images, { model: 'vae-2d', size: req.query.size, z: grid }, req.query.size);
    },
  );
};
