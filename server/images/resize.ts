// Area-average resizing of a grayscale image (for PNG digits that are not 28x28): each output
// pixel is the mean of the input area it covers, which keeps thin strokes instead of skipping them.
import type { GrayImage } from '../../models/images/shared/png.js';

export function resizeArea(img: GrayImage, width: number, height: number): GrayImage {
  if (img.width === width && img.height === height) return img;
  const out = new Uint8Array(width * height);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let oy = 0; oy < height; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < width; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(img.height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(img.width, Math.ceil(x1)); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          sum += w * img.pixels[y * img.width + x]!;
          area += w;
        }
      }
      out[oy * width + ox] = Math.round(sum / area);
    }
  }
  return { width, height, pixels: out };
}
