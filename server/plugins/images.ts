// The image lab's /api/images routes: the convolution playground (kernels, convolve, pool, the
// worked examples), MNIST classification with the first conv layer's feature maps, and
// denoising. Images come in as arrays or PNGs (base64 in JSON, or a raw image/png body with the
// options in the query string) and go out as JSON or PNG by content negotiation.
import * as tf from '@tensorflow/tfjs';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { convolve2d } from '../../models/images/convolution/convolve.js';
import { WORKED_EXAMPLES } from '../../models/images/convolution/examples.js';
import { KERNELS, namedKernel } from '../../models/images/convolution/kernels.js';
import { checkMatrix, isIntegerMatrix, type Matrix } from '../../models/images/convolution/matrix.js';
import { pool2d } from '../../models/images/convolution/pool.js';
import { addGaussianNoise } from '../../models/images/autoencoder/noise.js';
import { psnrPerImage } from '../../models/images/autoencoder/psnr.js';
import { classifyBatch, firstLayerFeatureMaps } from '../../models/images/mnist-cnn/classify.js';
import { tileImages } from '../../models/images/shared/grid.js';
import { bytesToMatrix } from '../../models/images/shared/pixels.js';
import { digitsToTensor, tensorToDigits } from '../images/digit-tensors.js';
import { DISPLAY_SCALES, toDisplayBytes, type DisplayScale } from '../images/display.js';
import { badRequest, errorResponses } from '../images/errors.js';
import { decodePng, digitFromField, digitFromPng, imageFieldSchema, matrixFromField, matrixFromPng, type ImageField } from '../images/image-input.js';
import { negotiateFormat } from '../images/negotiate.js';
import { digitListSchema, sendDigits, sendPng } from '../images/replies.js';
import { formatQuery, jsonOrPng, jsonOrPngBody, setupImageRoutes, type ImagePluginOptions } from '../images/route-setup.js';

export type ImagesPluginOptions = ImagePluginOptions;

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
  kernel?: string | Matrix;
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
interface DigitParams {
  invert?: boolean;
  featureMaps?: boolean;
  noise?: number;
  seed?: number;
  format?: 'json' | 'png';
}

/** The image of a request: a raw PNG body, or the JSON body's `image` field. */
function isPngBody(body: unknown): body is Buffer {
  return Buffer.isBuffer(body);
}

export const imagesPlugin: FastifyPluginAsync<ImagesPluginOptions> = async (app, opts) => {
  const { cache, limits } = setupImageRoutes(app, opts);
  const imageField = (what: string) => imageFieldSchema(limits.maxMatrixSide, what);
  const windowProps = {
    stride: { type: 'integer', minimum: 1, maximum: 16, default: 1 },
    padding: { type: 'integer', minimum: 0, maximum: 16, default: 0 },
    scale: { type: 'string', enum: DISPLAY_SCALES, default: 'clamp', description: 'how PNG replies map values to 0..255' },
  } as const;

  /** Options from the JSON body, or from the query string when the body is a raw PNG. */
  const paramsOf = <T>(req: FastifyRequest): T & { image?: ImageField } =>
    (isPngBody(req.body) ? { ...(req.query as object) } : { ...(req.query as object), ...(req.body as object) }) as T & { image?: ImageField };

  const matrixOf = (req: FastifyRequest, image: ImageField | undefined): Matrix => {
    if (isPngBody(req.body)) return matrixFromPng(decodePng(req.body, 'body'), 'image', limits.maxMatrixSide);
    if (image === undefined) throw badRequest('missing-image', 'give `image` (rows of numbers or a base64 PNG), or POST a raw image/png body');
    return matrixFromField(image, 'image', limits.maxMatrixSide).matrix;
  };

  const digitOf = (req: FastifyRequest, p: { image?: ImageField; invert?: boolean }): Uint8Array => {
    if (isPngBody(req.body)) return digitFromPng(decodePng(req.body, 'body'), { invert: p.invert });
    if (p.image === undefined) throw badRequest('missing-image', 'give `image` (28x28 numbers 0..255 or a base64 PNG), or POST a raw image/png body');
    return digitFromField(p.image, 'image', { invert: p.invert });
  };

  const sendMap = (req: FastifyRequest, reply: Parameters<typeof sendPng>[0], out: Matrix, scale: DisplayScale, json: Record<string, unknown>) => {
    const format = negotiateFormat(req.headers.accept, (req.query as { format?: string }).format);
    if (format === 'png') return sendPng(reply, { width: out[0]!.length, height: out.length, pixels: toDisplayBytes(out.flat(), scale) });
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
          required: ['image', 'kernel'],
          properties: {
            image: imageField('the image: rows of numbers (any size up to the limit) or a base64 PNG (converted to 0..255 gray)'),
            kernel: {
              anyOf: [
                { type: 'string', maxLength: 64, description: 'a named kernel (GET /api/images/kernels)' },
                { type: 'array', minItems: 1, maxItems: limits.maxKernelSide, items: { type: 'array', minItems: 1, maxItems: limits.maxKernelSide, items: { type: 'number' } } },
              ],
            },
            divisor: { type: 'number', not: { const: 0 }, description: 'divide each sum by this (default: the named kernel\'s, else 1)' },
            mode: { type: 'string', enum: ['correlation', 'convolution'], default: 'correlation' },
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
      const p = paramsOf<ConvolveParams>(req);
      if (p.kernel === undefined) throw badRequest('missing-kernel', 'give `kernel`: a name from GET /api/images/kernels or a matrix');
      const image = matrixOf(req, p.image);
      const named = typeof p.kernel === 'string' ? namedKernel(p.kernel) : undefined;
      const weights = named ? named.weights : (p.kernel as Matrix);
      checkMatrix(weights, 'kernel');
      const divisor = p.divisor ?? named?.divisor ?? 1;
      const stride = p.stride ?? 1;
      const padding = p.padding ?? 0;
      const mode = p.mode ?? 'correlation';
      const output = convolve2d(image, weights, { stride, padding, divisor, mode });
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
          properties: { ...formatQuery, ...windowProps, mode: { type: 'string', enum: ['max', 'avg'] }, size: { type: 'integer', minimum: 1, maximum: 16 }, stride: { type: 'integer', minimum: 1, maximum: 16 } },
        },
        body: jsonOrPngBody({
          type: 'object',
          additionalProperties: false,
          required: ['image', 'mode'],
          properties: {
            image: imageField('the image: rows of numbers or a base64 PNG'),
            mode: { type: 'string', enum: ['max', 'avg'] },
            size: { type: 'integer', minimum: 1, maximum: 16, default: 2 },
            stride: { type: 'integer', minimum: 1, maximum: 16, description: 'default: the window size' },
            padding: windowProps.padding,
            scale: windowProps.scale,
          },
        }),
        response: {
          ...errorResponses,
          ...jsonOrPng({ type: 'object', required: ['output', 'height', 'width'], properties: { output: matrixSchema, height: { type: 'integer' }, width: { type: 'integer' }, mode: { type: 'string' }, size: { type: 'integer' }, stride: { type: 'integer' }, padding: { type: 'integer' } } }),
        },
      },
    },
    async (req, reply) => {
      const p = paramsOf<PoolParams>(req);
      if (!p.mode) throw badRequest('missing-mode', 'give `mode`: max or avg');
      const image = matrixOf(req, p.image);
      const size = p.size ?? 2;
      const stride = p.stride ?? size;
      const padding = p.padding ?? 0;
      const output = pool2d(image, { mode: p.mode, size, stride, padding });
      return sendMap(req, reply, output, p.scale ?? 'clamp', { output, height: output.length, width: output[0]!.length, mode: p.mode, size, stride, padding });
    },
  );

  const digitQuery = {
    type: 'object',
    properties: {
      ...formatQuery,
      invert: { type: 'boolean', default: false, description: 'the image is dark on light: invert it to MNIST polarity' },
      featureMaps: { type: 'boolean', default: true },
      noise: { type: 'number', minimum: 0, maximum: 1.5 },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    },
  } as const;
  const digitImage = imageFieldSchema(limits.maxMatrixSide, 'a digit: 28x28 intensities 0..255 (white on black) or a base64 PNG of any size up to 1024x1024 (resized to 28x28)');

  app.post(
    '/api/images/classify',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: digitQuery,
        body: jsonOrPngBody({
          type: 'object',
          additionalProperties: false,
          required: ['image'],
          properties: { image: digitImage, invert: { type: 'boolean', default: false }, featureMaps: { type: 'boolean', default: true } },
        }),
        response: {
          ...errorResponses,
          ...jsonOrPng({
            type: 'object',
            required: ['label', 'probabilities'],
            properties: {
              label: { type: 'integer' },
              probabilities: { type: 'array', items: { type: 'number' } },
              featureMaps: {
                type: 'object',
                properties: {
                  layer: { type: 'string' },
                  count: { type: 'integer' },
                  height: { type: 'integer' },
                  width: { type: 'integer' },
                  maps: { type: 'array', items: matrixSchema },
                },
              },
            },
          }),
        },
      },
    },
    async (req, reply) => {
      const p = paramsOf<DigitParams>(req);
      const format = negotiateFormat(req.headers.accept, (req.query as DigitParams).format);
      const digit = digitOf(req, p);
      const { model } = await cache.get('mnist-cnn');
      const x = digitsToTensor([digit]);
      try {
        const [c] = await classifyBatch(model, x);
        const wantMaps = p.featureMaps ?? true;
        const fm = wantMaps || format === 'png' ? await firstLayerFeatureMaps(model, x) : undefined;
        if (format === 'png') {
          // One sheet of all maps on a common scale (0 = no response, 255 = the strongest).
          const max = Math.max(1e-9, ...fm!.maps.map((m) => m.reduce((a, v) => Math.max(a, v), 0)));
          const sheet = tileImages(fm!.maps.map((m) => toDisplayBytes(m.map((v) => (v / max) * 255), 'clamp')), { width: fm!.width, height: fm!.height }, 8);
          return sendPng(reply.header('x-label', String(c!.label)), sheet);
        }
        return {
          label: c!.label,
          probabilities: c!.probabilities,
          ...(fm
            ? {
                featureMaps: {
                  layer: 'conv1',
                  count: fm.maps.length,
                  height: fm.height,
                  width: fm.width,
                  maps: fm.maps.map((m) => bytesToMatrix(Array.from(m, (v) => Math.round(v * 1e4) / 1e4), fm.width, fm.height)),
                },
              }
            : {}),
        };
      } finally {
        x.dispose();
      }
    },
  );

  app.post(
    '/api/images/denoise',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        querystring: digitQuery,
        body: jsonOrPngBody({
          type: 'object',
          additionalProperties: false,
          required: ['image'],
          properties: {
            image: digitImage,
            invert: { type: 'boolean', default: false },
            noise: { type: 'number', minimum: 0, maximum: 1.5, description: 'add Gaussian noise of this std (pixels in [0,1]) first; the input then counts as the clean reference' },
            seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
          },
        }),
        response: {
          ...errorResponses,
          ...jsonOrPng({
            type: 'object',
            required: ['denoised'],
            properties: {
              denoised: { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
              noisy: { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
              psnr: { type: 'object', properties: { noisy: { type: 'number' }, denoised: { type: 'number' } } },
              images: digitListSchema,
            },
          }),
        },
      },
    },
    async (req, reply) => {
      const p = paramsOf<DigitParams>(req);
      const format = negotiateFormat(req.headers.accept, (req.query as DigitParams).format);
      const digit = digitOf(req, p);
      const { model } = await cache.get('autoencoder');
      const clean = digitsToTensor([digit]);
      const noisy = p.noise ? addGaussianNoise(clean, p.noise, p.seed) : clean;
      const denoisedT = tf.tidy(() => model.predict(noisy) as tf.Tensor4D);
      try {
        const psnr = p.noise ? { noisy: (await psnrPerImage(noisy, clean))[0]!, denoised: (await psnrPerImage(denoisedT, clean))[0]! } : undefined;
        const [denoised] = await tensorToDigits(denoisedT.clone());
        const noisyDigit = p.noise ? (await tensorToDigits(noisy.clone()))[0]! : undefined;
        if (format === 'png') {
          // With added noise: clean | noisy | denoised side by side; else the denoised digit alone.
          return sendDigits(reply, 'png', noisyDigit ? [digit, noisyDigit, denoised!] : [denoised!], {}, 3);
        }
        return {
          denoised: bytesToMatrix(denoised!, 28, 28),
          ...(noisyDigit ? { noisy: bytesToMatrix(noisyDigit, 28, 28), psnr } : {}),
        };
      } finally {
        tf.dispose([clean, noisy, denoisedT]);
      }
    },
  );

};
