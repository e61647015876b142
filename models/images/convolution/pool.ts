// Max and average pooling of a single-channel image. Padding cells are not values: max ignores
// them and average divides by the number of real cells in the window (as tfjs 'same' pooling).
import { checkMatrix, zeros, type Matrix } from './matrix.js';
import { outputSize, WindowSizeError } from './output-size.js';

export interface PoolOptions {
  mode: 'max' | 'avg';
  /** Window side. Default 2. */
  size?: number;
  /** Default: the window size (non-overlapping windows). */
  stride?: number;
  /** Default 0. Must be smaller than the window so each window holds a real cell. */
  padding?: number;
}

export function pool2d(image: Matrix, opts: PoolOptions): Matrix {
  const [h, w] = checkMatrix(image, 'image');
  const size = opts.size ?? 2;
  const stride = opts.stride ?? size;
  const pad = opts.padding ?? 0;
  if (pad >= size) throw new WindowSizeError(`padding ${pad} must be smaller than the pooling window ${size}`);
  const oh = outputSize({ n: h, k: size, s: stride, p: pad }, 'height');
  const ow = outputSize({ n: w, k: size, s: stride, p: pad }, 'width');
  const out = zeros(oh, ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const r0 = Math.max(0, i * stride - pad);
      const r1 = Math.min(h, i * stride - pad + size);
      const c0 = Math.max(0, j * stride - pad);
      const c1 = Math.min(w, j * stride - pad + size);
      let acc = opts.mode === 'max' ? -Infinity : 0;
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) acc = opts.mode === 'max' ? Math.max(acc, image[r]![c]!) : acc + image[r]![c]!;
      }
      out[i]![j] = opts.mode === 'max' ? acc : acc / ((r1 - r0) * (c1 - c0));
    }
  }
  return out;
}
