// Grayscale PNG in and out (pngjs). Colour inputs become luminance (ITU-R BT.601 weights) and
// transparent pixels are composited over black, the MNIST background.
import { PNG } from 'pngjs';

export interface GrayImage {
  width: number;
  height: number;
  /** width*height bytes, row-major, 0 = black. */
  pixels: Uint8Array;
}

export class PngDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngDecodeError';
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function looksLikePng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(PNG_SIGNATURE);
}

/** Decodes a PNG; rejects images larger than maxSide on either side before inflating the pixels. */
export function decodeGrayPng(bytes: Uint8Array, maxSide = 1024): GrayImage {
  if (!looksLikePng(bytes)) throw new PngDecodeError('not a PNG (bad signature)');
  // The IHDR chunk follows the signature: width and height as big-endian uint32 at 16 and 20.
  if (bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const w = view.getUint32(16);
    const h = view.getUint32(20);
    if (w > maxSide || h > maxSide) throw new PngDecodeError(`PNG is ${w}x${h}; at most ${maxSide}x${maxSide} is accepted`);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new PngDecodeError(`could not decode PNG: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { width, height, data } = png; // RGBA, 8 bits per channel after decoding
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const r = data[4 * i]!;
    const g = data[4 * i + 1]!;
    const b = data[4 * i + 2]!;
    const a = data[4 * i + 3]!;
    pixels[i] = Math.round(((0.299 * r + 0.587 * g + 0.114 * b) * a) / 255);
  }
  return { width, height, pixels };
}

export function encodeGrayPng(img: GrayImage): Buffer {
  if (img.pixels.length !== img.width * img.height) {
    throw new Error(`encodeGrayPng: ${img.pixels.length} pixels for ${img.width}x${img.height}`);
  }
  const png = new PNG({ width: img.width, height: img.height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(img.pixels);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
