// Sending images back: PNG (one image, or a sheet of several) or JSON arrays of 0..255 rows.
import type { FastifyReply } from 'fastify';
import { tileImages } from '../../models/images/shared/grid.js';
import { bytesToMatrix } from '../../models/images/shared/pixels.js';
import { encodeGrayPng, type GrayImage } from '../../models/images/shared/png.js';
import type { ReplyFormat } from './negotiate.js';

export function sendPng(reply: FastifyReply, img: GrayImage): FastifyReply {
  return reply.type('image/png').header('cache-control', 'no-store').send(encodeGrayPng(img));
}

/** Several 28x28 digits: a PNG sheet (`columns` wide), or `{ images: number[][][], ...extra }`. */
export function sendDigits(reply: FastifyReply, format: ReplyFormat, digits: Uint8Array[], extra: Record<string, unknown> = {}, columns?: number): FastifyReply | Record<string, unknown> {
  if (format === 'png') return sendPng(reply, digits.length === 1 ? { width: 28, height: 28, pixels: digits[0]! } : tileImages(digits, { width: 28, height: 28 }, columns));
  return { ...extra, images: digits.map((d) => bytesToMatrix(d, 28, 28)) };
}

/** JSON schema of a list of 28x28 images. */
export const digitListSchema = {
  type: 'array',
  items: { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } } },
} as const;
