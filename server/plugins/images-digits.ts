// The digit routes over the trained MNIST models: POST /api/images/classify (probabilities and
// the first conv layer's feature maps) and POST /api/images/denoise. A digit comes in as 28x28
// numbers, as {png: base64} in JSON, or as a raw image/png body (options in the query string);
// replies are JSON or PNG by content negotiation.
import type { FastifyPluginAsync } from 'fastify';
import { tileImages } from '../../models/images/shared/grid.js';
import { bytesToMatrix } from '../../models/images/shared/pixels.js';
import { toDisplayBytes } from '../images/display.js';
import { errorResponses } from '../images/errors.js';
import { imageFieldSchema } from '../images/image-input.js';
import { sendDigits, sendPng } from '../images/replies.js';
import { replyFormat, requestDigit, requestParams } from '../images/request-image.js';
import { formatQuery, jsonOrPng, jsonOrPngBody, modelCacheFor, setupImageRoutes, type ImagePluginOptions } from '../images/route-setup.js';

export type DigitsPluginOptions = ImagePluginOptions;

const matrixSchema = { type: 'array', items: { type: 'array', items: { type: 'number' } } } as const;

interface DigitParams {
  invert?: boolean;
  featureMaps?: boolean;
  noise?: number;
  seed?: number;
  format?: 'json' | 'png';
}

export const digitsPlugin: FastifyPluginAsync<DigitsPluginOptions> = async (app, opts) => {
  const limits = setupImageRoutes(app, opts);
  const cache = modelCacheFor(app, opts);

  const digitQuery = {
    type: 'object',
    properties: {
      ...formatQuery,
      invert: { type: 'boolean', description: 'the image is dark on light: invert it to MNIST polarity (default false)' },
      featureMaps: { type: 'boolean', description: "include the first conv layer's maps (default true)" },
      noise: { type: 'number', minimum: 0, maximum: 1.5 },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    },
  } as const;
  const digitImage = imageFieldSchema(28, 'a digit: 28x28 intensities 0..255 (white on black), or {png} of any size up to 1024x1024 (resized to 28x28)');

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
          properties: { image: digitImage, invert: { type: 'boolean' }, featureMaps: { type: 'boolean' } },
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
      const p = requestParams<DigitParams>(req);
      const format = replyFormat(req);
      const digit = await requestDigit(req, p, cache);
      // The model runs in the image worker (server/images/model-cache.ts).
      const c = await cache.run('classify', { digit, featureMaps: (p.featureMaps ?? true) || format === 'png' });
      const fm = c.featureMaps;
      if (format === 'png') {
        // One sheet of all maps on a common scale (0 = no response, 255 = the strongest).
        const max = Math.max(1e-9, ...fm!.maps.map((m) => m.reduce((a, v) => Math.max(a, v), 0)));
        const sheet = tileImages(
          fm!.maps.map((m) =>
            toDisplayBytes(
              m.map((v) => (v / max) * 255),
              'clamp',
            ),
          ),
          { width: fm!.width, height: fm!.height },
          8,
        );
        return sendPng(reply.header('x-label', String(c.label)), sheet);
      }
      return {
        label: c.label,
        probabilities: c.probabilities,
        ...(fm
          ? {
              featureMaps: {
                layer: 'conv1',
                count: fm.maps.length,
                height: fm.height,
                width: fm.width,
                maps: fm.maps.map((m) =>
                  bytesToMatrix(
                    Array.from(m, (v) => Math.round(v * 1e4) / 1e4),
                    fm.width,
                    fm.height,
                  ),
                ),
              },
            }
          : {}),
      };
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
            invert: { type: 'boolean' },
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
              psnr: { type: 'object', description: 'dB against the input, when noise was added', properties: { noisy: { type: 'number' }, denoised: { type: 'number' } } },
            },
          }),
        },
      },
    },
    async (req, reply) => {
      const p = requestParams<DigitParams>(req);
      const format = replyFormat(req);
      const digit = await requestDigit(req, p, cache);
      const { denoised, noisy: noisyDigit, psnr } = await cache.run('denoise', { digit, noise: p.noise, seed: p.seed });
      if (format === 'png') {
        // With added noise: clean | noisy | denoised side by side; else the denoised digit alone.
        return sendDigits(reply, cache, 'png', noisyDigit ? [digit, noisyDigit, denoised] : [denoised], {}, 3);
      }
      return {
        denoised: bytesToMatrix(denoised, 28, 28),
        ...(noisyDigit ? { noisy: bytesToMatrix(noisyDigit, 28, 28), psnr } : {}),
      };
    },
  );
};
