// Images as requests carry them: a nested array of numbers, or a PNG (base64 in JSON, optionally
// as a data: URL, or the raw request body with Content-Type image/png).
import { checkMatrix, type Matrix } from '../../models/images/convolution/matrix.js';
import { bytesToMatrix } from '../../models/images/shared/pixels.js';
import { decodeGrayPng, type GrayImage } from '../../models/images/shared/png.js';
import { badRequest, ImageRequestError } from './errors.js';
import { resizeArea } from './resize.js';

/** An image in a JSON body: rows of numbers, or { png: base64 PNG (or a data:image/png;base64 URL) }. */
export type ImageField = Matrix | { png: string };

/** Largest side of a PNG we decode (bigger ones are refused before inflating). */
export const MAX_PNG_SIDE = 1024;
/** Largest base64 PNG in a JSON body, characters. */
export const MAX_BASE64_CHARS = 2_800_000;

/**
 * JSON schema of an image field. The PNG form is an object rather than a bare string: Fastify's
 * Ajv coerces types ('array' mode), and with a string/array anyOf a failed branch would leave
 * single-row arrays coerced; objects are never coerced.
 */
export function imageFieldSchema(maxSide: number, description: string) {
  return {
    description,
    anyOf: [
      { type: 'array', minItems: 1, maxItems: maxSide, items: { type: 'array', minItems: 1, maxItems: maxSide, items: { type: 'number' } } },
      {
        type: 'object',
        additionalProperties: false,
        required: ['png'],
        properties: { png: { type: 'string', minLength: 8, maxLength: MAX_BASE64_CHARS, description: 'base64 PNG, or a data:image/png;base64 URL' } },
      },
    ],
  } as const;
}

/** The bytes of a base64 PNG field (or data: URL), not yet decoded. */
export function pngBytesOfField(value: string, what: string): Buffer {
  const b64 = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(b64)) throw badRequest('bad-image', `${what}.png must be a base64 PNG (or a data:image/png;base64 URL)`);
  return Buffer.from(b64, 'base64');
}

export function decodeBase64Png(value: string, what: string): GrayImage {
  return decodePng(pngBytesOfField(value, what), what);
}

export function decodePng(bytes: Uint8Array, what: string): GrayImage {
  try {
    return decodeGrayPng(bytes, MAX_PNG_SIDE);
  } catch (err) {
    throw badRequest('bad-png', `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** For the convolution playground: any size up to maxSide, any finite numbers. */
export function matrixFromField(value: ImageField, what: string, maxSide: number): { matrix: Matrix; fromPng: boolean } {
  if (!Array.isArray(value)) {
    const img = decodeBase64Png(value.png, what);
    return { matrix: matrixFromPng(img, what, maxSide), fromPng: true };
  }
  checkMatrix(value, what);
  return { matrix: value, fromPng: false };
}

export function matrixFromPng(img: GrayImage, what: string, maxSide: number): Matrix {
  if (img.width > maxSide || img.height > maxSide) {
    throw new ImageRequestError(413, 'image-too-large', `${what} is ${img.width}x${img.height}; this route takes at most ${maxSide}x${maxSide}`);
  }
  return bytesToMatrix(img.pixels, img.width, img.height);
}

export interface DigitOptions {
  /** Turn black-on-white drawings into MNIST's white-on-black. */
  invert?: boolean;
}

/**
 * A digit for the models: 784 bytes, white on black. Arrays must be 28x28 with values 0..255;
 * PNGs of other sizes are resized to 28x28 by area averaging.
 */
export function digitFromField(value: ImageField, what: string, opts: DigitOptions = {}): Uint8Array {
  if (!Array.isArray(value)) return digitFromPng(decodeBase64Png(value.png, what), opts);
  const [h, w] = checkMatrix(value, what);
  if (h !== 28 || w !== 28) throw badRequest('bad-image', `${what} must be 28x28 (got ${h}x${w}); send a PNG to have it resized`);
  const out = new Uint8Array(784);
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const v = value[r]![c]!;
      if (v < 0 || v > 255) throw badRequest('bad-image', `${what}[${r}][${c}] = ${v} is outside 0..255 (intensities, 0 = background)`);
      out[r * 28 + c] = Math.round(v);
    }
  }
  return opts.invert ? invert(out) : out;
}

export function digitFromPng(img: GrayImage, opts: DigitOptions = {}): Uint8Array {
  const px = resizeArea(img, 28, 28).pixels;
  return opts.invert ? invert(px) : px.slice();
}

function invert(px: Uint8Array): Uint8Array {
  return px.map((v) => 255 - v);
}
