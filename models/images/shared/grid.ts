// Tiles equally sized grayscale images into one picture (sample sheets, feature maps, manifolds).
import type { GrayImage } from './png.js';

export function tileImages(images: readonly Uint8Array[], side: { width: number; height: number }, columns?: number, gap = 2, background = 64): GrayImage {
  if (images.length === 0) throw new Error('tileImages: no images');
  const cols = Math.max(1, Math.min(images.length, columns ?? Math.ceil(Math.sqrt(images.length))));
  const rows = Math.ceil(images.length / cols);
  const width = cols * side.width + (cols - 1) * gap;
  const height = rows * side.height + (rows - 1) * gap;
  const pixels = new Uint8Array(width * height).fill(background);
  images.forEach((img, k) => {
    if (img.length !== side.width * side.height) throw new Error(`tileImages: image ${k} has ${img.length} pixels, expected ${side.width * side.height}`);
    const x0 = (k % cols) * (side.width + gap);
    const y0 = Math.floor(k / cols) * (side.height + gap);
    for (let r = 0; r < side.height; r++) pixels.set(img.subarray(r * side.width, (r + 1) * side.width), (y0 + r) * width + x0);
  });
  return { width, height, pixels };
}
