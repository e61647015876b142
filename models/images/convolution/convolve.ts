// 2-D sliding-window filtering of a single-channel image with stride and zero padding, in plain
// JS numbers: with integer image and weights every sum is an exact integer (well below 2^53),
// and a kernel's divisor is applied once per output, so results are exact or correctly rounded.
import { checkMatrix, rotate180, zeros, type Matrix } from './matrix.js';
import { outputSize } from './output-size.js';

export interface ConvolveOptions {
  /** Step between windows (both axes). Default 1. */
  stride?: number;
  /** Zeros added on every side. Default 0 ("valid"). */
  padding?: number;
  /** Divide each weighted sum by this. Default 1. */
  divisor?: number;
  /**
   * 'correlation' (default) slides the kernel as given, like CNN layers; 'convolution' turns it
   * by 180 degrees first (the textbook definition).
   */
  mode?: 'correlation' | 'convolution';
}

export function convolve2d(image: Matrix, kernel: Matrix, opts: ConvolveOptions = {}): Matrix {
  const [h, w] = checkMatrix(image, 'image');
  const [kh, kw] = checkMatrix(kernel, 'kernel');
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  const divisor = opts.divisor ?? 1;
  if (!Number.isFinite(divisor) || divisor === 0) throw new RangeError(`divisor must be a non-zero number (got ${divisor})`);
  const oh = outputSize({ n: h, k: kh, s: stride, p: pad }, 'height');
  const ow = outputSize({ n: w, k: kw, s: stride, p: pad }, 'width');
  const k = opts.mode === 'convolution' ? rotate180(kernel) : kernel;
  const out = zeros(oh, ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let sum = 0;
      for (let u = 0; u < kh; u++) {
        const r = i * stride + u - pad;
        if (r < 0 || r >= h) continue; // zero padding contributes nothing
        for (let v = 0; v < kw; v++) {
          const c = j * stride + v - pad;
          if (c >= 0 && c < w) sum += image[r]![c]! * k[u]![v]!;
        }
      }
      out[i]![j] = divisor === 1 ? sum : sum / divisor;
    }
  }
  return out;
}
