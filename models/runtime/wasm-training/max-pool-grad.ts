// MaxPoolGrad for the wasm backend. The shipped kernel is wrong: it seeds its running maximum
// with FLT_MIN (the smallest positive float) instead of -inf, so a window whose values are all
// <= 0 sends its gradient to element 0 of the whole tensor; it also picks the last of tied
// maxima where the cpu backend (and TensorFlow) pick the first. This version routes each output
// gradient to the first maximum of its window, accumulating where windows overlap, in one JS
// pass over the heap that keeps a running max per channel so memory is read contiguously.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, heapF32, heapOutput, shape4, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

function maxPoolGrad(backend: tf.KernelBackend, dy: TensorInfo, x: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const [n, h, w, c] = shape4(x);
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(c);
  const pos = new Int32Array(c);
  return heapOutput(backend, [n, h, w, c], (dx) => {
    const xs = heapF32(backend, x);
    const g = heapF32(backend, dy);
    dx.fill(0);
    let o = 0; // offset of dy[b, y, x, 0]
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        const y0 = y * sh - top;
        for (let xo = 0; xo < ow; xo++, o += c) {
          const x0 = xo * sw - left;
          best.fill(-Infinity);
          pos.fill(-1);
          for (let ky = 0; ky < fh; ky += dh) {
            const yy = y0 + ky;
            if (yy < 0 || yy >= h) continue;
            for (let kx = 0; kx < fw; kx += dw) {
              const xx = x0 + kx;
              if (xx < 0 || xx >= w) continue;
              const base = ((b * h + yy) * w + xx) * c;
              for (let ch = 0; ch < c; ch++) {
                const v = xs[base + ch]!;
                if (v > best[ch]!) {
                  best[ch] = v;
                  pos[ch] = base + ch;
                }
              }
            }
          }
          for (let ch = 0; ch < c; ch++) {
            const p = pos[ch]!;
            if (p >= 0) dx[p]! += g[o + ch]!;
          }
        }
      }
    }
  });
}

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(shape4(input), filterSize, strides, 1, pad, dimRoundingMode);
  return maxPoolGrad(backend, dy, input, info);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(kernelFunc),
};
