// The image lab's /api/gan routes: samples of the DCGAN, samples of the conditional GAN for a
// requested digit, and walks through the noise space between two seeds. Replies are JSON or PNG
// by content negotiation (?format=png|json or the Accept header).
import type { FastifyPluginAsync } from 'fastify';
import { badRequest, errorResponses } from '../images/errors.js';
import { digitListSchema, sendDigits } from '../images/replies.js';
import { replyFormat } from '../images/request-image.js';
import { formatQuery, jsonOrPng, modelCacheFor, setupImageRoutes, type ImagePluginOptions } from '../images/route-setup.js';

export type GanPluginOptions = ImagePluginOptions;

const seedProp = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;
const labelProp = { type: 'integer', minimum: 0, maximum: 9 } as const;
const samplesReply = jsonOrPng({
  type: 'object',
  required: ['images'],
  properties: { model: { type: 'string' }, seed: { type: 'integer' }, labels: { type: 'array', items: { type: 'integer' } }, images: digitListSchema },
});

const randomSeed = () => Math.floor(Math.random() * 2 ** 32);

export const ganPlugin: FastifyPluginAsync<GanPluginOptions> = async (app, opts) => {
  const limits = setupImageRoutes(app, opts);
  const cache = modelCacheFor(app, opts);
  const countProp = { type: 'integer', minimum: 1, maximum: limits.maxImages, default: 16 } as const;

  app.get<{ Querystring: { n: number; seed?: number; format?: string } }>(
    '/api/gan/dcgan/sample',
    {
      schema: {
        querystring: { type: 'object', properties: { ...formatQuery, n: countProp, seed: seedProp } },
        response: { ...errorResponses, ...samplesReply },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const seed = req.query.seed ?? randomSeed();
      const { images } = await cache.run('ganSample', { model: 'dcgan', n: req.query.n, seed }); // in the image worker
      return sendDigits(reply.header('x-seed', String(seed)), cache, format, images, { model: 'dcgan', seed });
    },
  );

  app.get<{ Querystring: { label?: number; n: number; seed?: number; format?: string } }>(
    '/api/gan/cgan/sample',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { ...formatQuery, label: { ...labelProp, description: 'the digit to draw; without it, the digits 0..9 in turn' }, n: countProp, seed: seedProp },
        },
        response: { ...errorResponses, ...samplesReply },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const seed = req.query.seed ?? randomSeed();
      const { n, label } = req.query;
      const labels = Array.from({ length: n }, (_, i) => label ?? i % 10);
      const { images } = await cache.run('ganSample', { model: 'cgan', n, seed, labels });
      return sendDigits(reply.header('x-seed', String(seed)), cache, format, images, { model: 'cgan', seed, labels }, label === undefined ? 10 : undefined);
    },
  );

  app.get<{ Querystring: { model: 'dcgan' | 'cgan'; from: number; to: number; steps: number; label?: number; path: 'slerp' | 'linear'; format?: string } }>(
    '/api/gan/interpolate',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          properties: {
            ...formatQuery,
            model: { type: 'string', enum: ['dcgan', 'cgan'], default: 'dcgan' },
            from: { ...seedProp, description: 'seed of the start noise vector' },
            to: { ...seedProp, description: 'seed of the end noise vector' },
            steps: { type: 'integer', minimum: 2, maximum: limits.maxImages, default: 10 },
            label: { ...labelProp, description: 'cgan only: the digit to hold while the noise changes' },
            path: { type: 'string', enum: ['slerp', 'linear'], default: 'slerp', description: 'great-circle (keeps typical noise norms) or straight line' },
          },
        },
        response: { ...errorResponses, ...samplesReply },
      },
    },
    async (req, reply) => {
      const format = replyFormat(req);
      const { model, from, to, steps, label, path } = req.query;
      if (model === 'cgan' && label === undefined) throw badRequest('missing-label', 'the conditional GAN needs `label` (0..9) to interpolate');
      const labels = model === 'cgan' ? new Array<number>(steps).fill(label!) : undefined;
      const { images } = await cache.run('ganInterpolate', { model, from, to, steps, path, ...(labels ? { labels } : {}) });
      return sendDigits(reply, cache, format, images, { model, ...(labels ? { labels } : {}) }, steps);
    },
  );
};
