// Reading the image and options of a request that takes either a JSON body or a raw PNG body.
import type { FastifyRequest } from 'fastify';
import type { Matrix } from '../../models/images/convolution/matrix.js';
import { badRequest } from './errors.js';
import { decodePng, digitFromField, digitFromPng, matrixFromField, matrixFromPng, type ImageField } from './image-input.js';
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
export function requestMatrix(req: FastifyRequest, image: ImageField | undefined, maxSide: number): Matrix {
  if (isPngBody(req.body)) return matrixFromPng(decodePng(req.body, 'body'), 'image', maxSide);
  if (image === undefined) throw badRequest('missing-image', 'give `image` (rows of numbers, or {png: base64}), or POST a raw image/png body');
  return matrixFromField(image, 'image', maxSide).matrix;
}

/** The request's image as a 28x28 digit for the models. */
export function requestDigit(req: FastifyRequest, p: { image?: ImageField; invert?: boolean }): Uint8Array {
  if (isPngBody(req.body)) return digitFromPng(decodePng(req.body, 'body'), { invert: p.invert });
  if (p.image === undefined) throw badRequest('missing-image', 'give `image` (28x28 numbers 0..255, or {png: base64}), or POST a raw image/png body');
  return digitFromField(p.image, 'image', { invert: p.invert });
}

export function replyFormat(req: FastifyRequest): ReplyFormat {
  return negotiateFormat(req.headers.accept, (req.query as { format?: string }).format);
}
