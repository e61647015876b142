// Sending images back: PNG (one image, or a sheet of several) or JSON arrays of 0..255 rows.
// Large replies are encoded in the image worker: a 25x25 manifold is 490,000 numbers, ~200 ms
// of JSON or ~50 ms of PNG on the event loop.
import type { FastifyReply } from 'fastify';
import { tileImages } from '../../models/images/shared/grid.js';
import { bytesToMatrix } from '../../models/images/shared/pixels.js';
import { encodeGrayPng, type GrayImage } from '../../models/images/shared/png.js';
import type { ImageModelCache } from './model-cache.js';
import type { ReplyFormat } from './negotiate.js';

/** Digits encoded in place; more go to the image worker (16 digits take well under 1 ms). */
const IN_PLACE_DIGITS = 16;

export type EncodedDigits = { png: Uint8Array } | { json: string };

export function sendPng(reply: FastifyReply, img: GrayImage): FastifyReply {
  return sendPngBytes(reply, encodeGrayPng(img));
}

function sendPngBytes(reply: FastifyReply, png: Uint8Array): FastifyReply {
  return reply
    .type('image/png')
    .header('cache-control', 'no-store')
    .send(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
}

/** Several 28x28 digits as a PNG (a sheet `columns` wide) or as the JSON text of their rows. */
export function encodeDigits(format: ReplyFormat, digits: Uint8Array[], columns?: number): EncodedDigits {
  if (format === 'png') return { png: encodeGrayPng(digits.length === 1 ? { width: 28, height: 28, pixels: digits[0]! } : tileImages(digits, { width: 28, height: 28 }, columns)) };
  return { json: JSON.stringify(digits.map((d) => bytesToMatrix(d, 28, 28))) };
}

/** Several 28x28 digits: a PNG sheet (`columns` wide), or `{ ...extra, images: number[][][] }`. */
export async function sendDigits(reply: FastifyReply, cache: ImageModelCache, format: ReplyFormat, digits: Uint8Array[], extra: Record<string, unknown> = {}, columns?: number): Promise<FastifyReply> {
  const encoded = digits.length <= IN_PLACE_DIGITS ? encodeDigits(format, digits, columns) : await cache.run('encodeDigits', { format, digits, columns });
  if ('png' in encoded) return sendPngBytes(reply, encoded.png);
  // Sent as text: the images are already JSON (the route's schema describes the same object).
  const head = JSON.stringify(extra);
  return reply.type('application/json; charset=utf-8').send(`${head.slice(0, -1)}${head === '{}' ? '' : ','}"images":${encoded.json}}`);
}

/** JSON schema of a list of 28x28 images. */
export const digitListSchema = {
  type: 'array',
  items: { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } } },
} as const;
