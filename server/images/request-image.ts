// Reading the image and options of a request that takes either a JSON body or a raw PNG body.
// PNGs are decoded in the image worker (a 1024x1024 upload is tens of ms of inflating and
// resizing); arrays are checked in place.
import type { FastifyRequest } from 'fastify';
import type { Matrix } from '../../models/images/convolution/matrix.js';
import { badRequest } from './errors.js';
import { digitFromField, matrixFromField, pngBytesOfField, type ImageField } from './image-input.js';
import type { ImageModelCache } from './model-cache.js';
import { negotiateFormat, type ReplyFormat } from './negotiate.js';

export function isPngBody(body: unknown): body is Buffer {
  return Buffer.isBuffer(body);
}

/**
 * Options from the JSON body (over any in the query string), or from the query string alone when
 * the body is a raw PNG. Route schemas set no defaults for these, so a default in one place never
 * hides a value given in the other; handlers apply the defaults.
 */
export function requestParams<T>(req: FastifyRequest): T & { image?: ImageField } {
  const query = req.query as object;
  return (isPngBody(req.body) ? { ...query } : { ...query, ...(req.body as object) }) as T & { image?: ImageField };
}

/** The request's image as a matrix (playground: any size up to maxSide). */
export async function requestMatrix(req: FastifyRequest, image: ImageField | undefined, maxSide: number, cache: ImageModelCache): Promise<Matrix> {
  if (isPngBody(req.body)) return cache.run('pngMatrix', { png: req.body, what: 'image', maxSide });
  if (image === undefined) throw badRequest('missing-image', 'give `image` (rows of numbers, or {png: base64}), or POST a raw image/png body');
  if (!Array.isArray(image)) return cache.run('pngMatrix', { png: pngBytesOfField(image.png, 'image'), what: 'image', maxSide });
  return matrixFromField(image, 'image', maxSide).matrix;
}

/** A digit field of a JSON body (28x28 numbers, or {png}) for the models; `what` names it in errors. */
export async function fieldDigit(cache: ImageModelCache, value: ImageField, what: string, invert?: boolean): Promise<Uint8Array> {
  if (Array.isArray(value)) return digitFromField(value, what, { invert });
  return cache.run('pngDigit', { png: pngBytesOfField(value.png, what), what, invert });
}

/** The request's image as a 28x28 digit for the models. */
export async function requestDigit(req: FastifyRequest, p: { image?: ImageField; invert?: boolean }, cache: ImageModelCache): Promise<Uint8Array> {
  if (isPngBody(req.body)) return cache.run('pngDigit', { png: req.body, what: 'body', invert: p.invert });
  if (p.image === undefined) throw badRequest('missing-image', 'give `image` (28x28 numbers 0..255, or {png: base64}), or POST a raw image/png body');
  return fieldDigit(cache, p.image, 'image', p.invert);
}

export function replyFormat(req: FastifyRequest): ReplyFormat {
  return negotiateFormat(req.headers.accept, (req.query as { format?: string }).format);
}
