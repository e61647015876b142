// The convolution playground: GET /api/images/kernels and /api/images/examples, POST
// /api/images/convolve and /api/images/pool. Plain-JS exact arithmetic, no models. Images come in
// as arrays or PNGs (in JSON as {png: base64}, or a raw image/png body with the options in the
// query string) and go out as JSON or PNG by content negotiation.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { convolve2d } from '../../models/images/convolution/convolve.js';
import { WORKED_EXAMPLES } from '../../models/images/convolution/examples.js';
import { KERNELS, namedKernel } from '../../models/images/convolution/kernels.js';
import { checkMatrix, isIntegerMatrix, type Matrix } from '../../models/images/convolution/matrix.js';
import { pool2d } from '../../models/images/convolution/pool.js';
import { DISPLAY_SCALES, toDisplayBytes, type DisplayScale } from '../images/display.js';
import { badRequest, errorResponses } from '../images/errors.js';
import { imageFieldSchema } from '../images/image-input.js';
import { sendPng } from '../images/replies.js';
import { replyFormat, requestMatrix, requestParams } from '../images/request-image.js';
import { formatQuery, jsonOrPng, jsonOrPngBody, modelCacheFor, setupImageRoutes, type ImagePluginOptions } from '../images/route-setup.js';

export type PlaygroundPluginOptions = ImagePluginOptions;

/**
 * Multiply-adds (convolution) or window reads (pooling) done in place; more go to the image
 * worker. 200,000 take ~1 ms; the largest request (256x256 by 15x15) takes ~15 M, 60+ ms.
 */
const IN_PLACE_OPS = 200_000;

const matrixSchema = { type: 'array', items: { type: 'array', items: { type: 'number' } } } as const;

const kernelSchema = {
  type: 'object',
  required: ['name', 'description', 'weights', 'divisor'],
  properties: { name: { type: 'string' }, description: { type: 'string' }, weights: matrixSchema, divisor: { type: 'number' } },
} as const;

const CONVENTION =
  'Outputs are cross-correlations (the kernel slides unturned, as in CNN layers); mode "convolution" turns it by 180 degrees first. ' +
  'Output size per axis = (n + 2p - k)/s + 1 and must be a whole number. Zero padding. Integer images and weights give exact integers; ' +
  'a divisor is applied once at the end. The Laplacians have a negative centre: bright spots/lines on dark answer negatively.';

interface ConvolveParams {
  kernel?: string;
  weights?: Matrix;
  divisor?: number;
  stride?: number;
  padding?: number;
  mode?: 'correlation' | 'convolution';
  scale?: DisplayScale;
  format?: 'json' | 'png';
}
interface PoolParams {
  mode?: 'max' | 'avg';
  size?: number;
  stride?: number;
  padding?: number;
  scale?: DisplayScale;
  format?: 'json' | 'png';
}
export const playgroundPlugin: FastifyPluginAsync<PlaygroundPluginOptions> = async (app, opts) => {
  const limits = setupImageRoutes(app, opts);
  const cache = modelCacheFor(app, opts);
  const imageField = (what: string) => imageFieldSchema(limits.maxMatrixSide, what);
  const windowProps = {
    stride: { type: 'integer', minimum: 1, maximum: 16, description: 'default 1' },
    padding: { type: 'integer', minimum: 0, maximum: 16, description: 'zeros on each side; default 0' },
    scale: { type: 'string', enum: DISPLAY_SCALES, description: 'how PNG replies map values to 0..255 (default clamp)' },
  } as const;

  /** A matrix result: JSON as given, or the matrix as a PNG mapped to 0..255 by `scale`. */
  const sendMap = (req: FastifyRequest, reply: FastifyReply, out: Matrix, scale: DisplayScale, json: Record<string, unknown>) => {
    if (replyFormat(req) === 'png') return sendPng(reply, { width: out[0]!.length, height: out.length, pixels: toDisplayBytes(out.flat(), scale) });
    return json;
  };

  app.get('/api/images/kernels', { schema: { response: { 200: { type: 'object', properties: { convention: { type: 'string' }, kernels: { type: 'array', items: kernelSchema } } } } } }, async () => ({
    convention: CONVENTION,
    kernels: Object.values(KERNELS).map((k) => ({ ...k, divisor: k.divisor ?? 1 })),
  }));

  app.get(
    '/api/images/examples',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              examples: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    description: { type: 'string' },
                    image: matrixSchema,
                    kernel: matrixSchema,
                    stride: { type: 'integer' },
                    padding: { type: 'integer' },
                    topLeft: { type: 'number' },
                    output: matrixSchema,
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      examples: WORKED_EXAMPLES.map((e) => ({ ...e, output: convolve2d(e.image, e.kernel, { stride: e.stride, padding: e.padding }) })),
    }),
  );

  app.post(
    '/api/images/convolve',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: {
          type: 'object',
          properties: { ...formatQuery, ...windowProps, kernel: { type: 'string', maxLength: 64 }, mode: { type: 'string', enum: ['correlation', 'convolution'] } },
        },
        body: jsonOrPngBody({
          type: 'object',
          additionalProperties: false,
          required: ['image'],
          properties: {
            image: imageField('the image: rows of numbers (any size up to the limit), or {png} (converted to 0..255 gray)'),
            kernel: { type: 'string', maxLength: 64, description: 'a named kernel (GET /api/images/kernels); or give `weights`' },
            weights: {
              description: 'your own kernel: rows of numbers',
              type: 'array',
              minItems: 1,
              maxItems: limits.maxKernelSide,
              items: { type: 'array', minItems: 1, maxItems: limits.maxKernelSide, items: { type: 'number' } },
            },
            divisor: { type: 'number', not: { const: 0 }, description: "divide each sum by this (default: the named kernel's, else 1)" },
            mode: { type: 'string', enum: ['correlation', 'convolution'], description: 'default correlation (CNN style)' },
            ...windowProps,
          },
        }),
        response: {
          ...errorResponses,
          ...jsonOrPng({
            type: 'object',
            required: ['output', 'height', 'width', 'exact'],
            properties: {
              output: matrixSchema,
              height: { type: 'integer' },
              width: { type: 'integer' },
              kernel: { type: 'object', properties: { name: { type: 'string' }, weights: matrixSchema, divisor: { type: 'number' } } },
              stride: { type: 'integer' },
              padding: { type: 'integer' },
              mode: { type: 'string' },
              exact: { type: 'boolean', description: 'integer image, weights and divisor 1: every output is an exact integer' },
            },
          }),
        },
      },
    },
    async (req, reply) => {
      const p = requestParams<ConvolveParams>(req);
      if ((p.kernel === undefined) === (p.weights === undefined)) {
        throw badRequest('missing-kernel', 'give either `kernel` (a name from GET /api/images/kernels) or `weights` (a matrix)');
      }
      const image = await requestMatrix(req, p.image, limits.maxMatrixSide, cache);
      const named = p.kernel !== undefined ? namedKernel(p.kernel) : undefined;
      const weights = named ? named.weights : p.weights!;
      checkMatrix(weights, 'kernel');
      const divisor = p.divisor ?? named?.divisor ?? 1;
      const stride = p.stride ?? 1;
      const padding = p.padding ?? 0;
      const mode = p.mode ?? 'correlation';
      const opts = { stride, padding, divisor, mode };
      const ops = image.length * image[0]!.length * weights.length * weights[0]!.length;
      const output = ops <= IN_PLACE_OPS ? convolve2d(image, weights, opts) : await cache.run('convolve', { image, weights, opts });
      return sendMap(req, reply, output, p.scale ?? 'clamp', {
        output,
        height: output.length,
        width: output[0]!.length,
        kernel: { ...(named ? { name: named.name } : {}), weights, divisor },
        stride,
        padding,
        mode,
        exact: divisor === 1 && isIntegerMatrix(image) && isIntegerMatrix(weights),
      });
    },
  );

  app.post(
    '/api/images/pool',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ...formatQuery,
            ...windowProps,
            mode: { type: 'string', enum: ['max', 'avg'] },
            size: { type: 'integer', minimum: 1, maximum: 16 },
            stride: { type: 'integer', minimum: 1, maximum: 16 },
          },
        },
        body: jsonOrPngBody({
          type: 'object',
          additionalProperties: false,
          required: ['image', 'mode'],
          properties: {
            image: imageField('the image: rows of numbers, or {png}'),
            mode: { type: 'string', enum: ['max', 'avg'] },
            size: { type: 'integer', minimum: 1, maximum: 16, description: 'window side; default 2' },
            stride: { type: 'integer', minimum: 1, maximum: 16, description: 'default: the window size' },
            padding: windowProps.padding,
            scale: windowProps.scale,
          },
        }),
        response: {
          ...errorResponses,
          ...jsonOrPng({
            type: 'object',
            required: ['output', 'height', 'width'],
            properties: {
              output: matrixSchema,
              height: { type: 'integer' },
              width: { type: 'integer' },
              mode: { type: 'string' },
              size: { type: 'integer' },
              stride: { type: 'integer' },
              padding: { type: 'integer' },
            },
          }),
        },
      },
    },
    async (req, reply) => {
      const p = requestParams<PoolParams>(req);
      if (!p.mode) throw badRequest('missing-mode', 'give `mode`: max or avg');
      const image = await requestMatrix(req, p.image, limits.maxMatrixSide, cache);
      const size = p.size ?? 2;
      const stride = p.stride ?? size;
      const padding = p.padding ?? 0;
      const opts = { mode: p.mode, size, stride, padding };
      const ops = (image.length + 2 * padding) * (image[0]!.length + 2 * padding) * Math.ceil(size / stride) ** 2;
      const output = ops <= IN_PLACE_OPS ? pool2d(image, opts) : await cache.run('pool', { image, opts });
      return sendMap(req, reply, output, p.scale ?? 'clamp', { output, height: output.length, width: output[0]!.length, mode: p.mode, size, stride, padding });
    },
  );
};
