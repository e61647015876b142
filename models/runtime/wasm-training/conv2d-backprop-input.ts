// Conv2DBackpropInput for the wasm backend. The shipped kernel is a naive loop; it runs both the
// input gradient of every conv layer and the forward pass of conv2dTranspose, so it dominates
// training once the filter gradient is fast.
//
// dx[u - top] = sum over (o, k) with o*s + k = u of dy[o] * W[k]   (per spatial axis)
// Split u = q*s + r: only taps k = r + j*s contribute, from dy[q - j]. For each phase r that is a
// stride-1 correlation of dy with the flipped sub-filter W[r::s]. All s*s phases share the input,
// so they run as ONE XNNPACK convolution with s*s*Ci output channels (sub-filters zero-padded to
// ceil(K/s) taps), and one pass interleaves the phases back into space. With stride 1 this is
// just a convolution with the flipped, channel-swapped filter. The filter rearrangement and the
// interleave are JS loops over the wasm heap (cheaper than wasm's Reverse/6-D Transpose).
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, compose, nhwcPad, heapF32, heapTensor, pair, shape4, spatialWindow, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

export interface BackpropInputParams {
  inputShape: [number, number, number, number];
  strides: number | [number, number];
  pad: tf.Conv2DBackpropInputAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

interface AxisPlan {
  /** Taps per phase: ceil(K / s). */
  taps: number;
  /** First dy position the convolution reads (may be negative: zero padding). */
  start: number;
  /** Phase-blocks computed. */
  blocks: number;
  /** Offset of dx[0] inside the interleaved result. */
  offset: number;
}

function planAxis(pad: number, k: number, s: number, outLen: number): AxisPlan {
  const taps = Math.ceil(k / s);
  const q0 = Math.floor(pad / s);
  const q1 = Math.floor((pad + outLen - 1) / s);
  return { taps, start: q0 - taps + 1, blocks: q1 - q0 + 1, offset: pad - q0 * s };
}

/**
 * The phase filter [tapsH, tapsW, Co, sh*sw*Ci] from W [KH, KW, Ci, Co]:
 *   F[i, j, co, rh, rw, ci] = W[(tapsH-1-i)*sh + rh, (tapsW-1-j)*sw + rw, ci, co]  (0 past the end)
 * A JS loop over the heap: wasm's Reverse and 6-D Transpose take ~20 ms on a 5x5x64x128 filter.
 */
function phaseFilter(backend: tf.KernelBackend, filter: tf.Tensor4D, ph: AxisPlan, pw: AxisPlan, sh: number, sw: number): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const phases = sh * sw;
  return heapTensor(backend, [ph.taps, pw.taps, co, phases * ci], (dst) => {
    const w = heapF32(backend, filter);
    dst.fill(0);
    let d = 0;
    for (let i = 0; i < ph.taps; i++) {
      for (let j = 0; j < pw.taps; j++) {
        for (let o = 0; o < co; o++) {
          for (let rh = 0; rh < sh; rh++) {
            const y = (ph.taps - 1 - i) * sh + rh;
            for (let rw = 0; rw < sw; rw++, d += ci) {
              const x = (pw.taps - 1 - j) * sw + rw;
              if (y >= kh || x >= kw) continue;
              let src = (y * kw + x) * ci * co + o;
              for (let c = 0; c < ci; c++, src += co) dst[d + c] = w[src]!;
            }
          }
        }
      }
    }
  }) as tf.Tensor4D;
}

/**
 * dx [N, H, W, Ci] from the phase-convolution output g [N, blocksH, blocksW, sh*sw*Ci]:
 *   dx[n, y, x, :] = g[n, (y+offH) div sh, (x+offW) div sw, phase((y+offH) mod sh, (x+offW) mod sw), :]
 * One pass in JS replaces a 6-D transpose plus a crop.
 */
function interleavePhases(backend: tf.KernelBackend, g: tf.Tensor4D, outShape: [number, number, number, number], ph: AxisPlan, pw: AxisPlan, sh: number, sw: number): tf.Tensor4D {
  const [n, h, w, ci] = outShape;
  const [, bh, bw, gc] = g.shape;
  return heapTensor(backend, outShape, (dst) => {
    const src = heapF32(backend, g);
    let d = 0;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < h; y++) {
        const u = y + ph.offset;
        const row = (b * bh + Math.floor(u / sh)) * bw;
        const rh = u % sh;
        for (let x = 0; x < w; x++, d += ci) {
          const v = x + pw.offset;
          const s = (row + Math.floor(v / sw)) * gc + (rh * sw + (v % sw)) * ci;
          if (ci >= 16) dst.set(src.subarray(s, s + ci), d);
          else for (let c = 0; c < ci; c++) dst[d + c] = src[s + c]!;
        }
      }
    }
  }) as tf.Tensor4D;
}

/** dx for an NHWC convolution with filter `filter` ([KH,KW,Ci,Co]) whose output gradient is `dy`. */
function conv2dInputGradient(backend: tf.KernelBackend, dy: tf.Tensor4D, filter: tf.Tensor4D, p: BackpropInputParams): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const [, h, w] = p.inputShape;
  const info = tf.backend_util.computeConv2DInfo(p.inputShape, filter.shape, p.strides, 1, p.pad, p.dimRoundingMode, false, 'channelsLast');
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const ph = planAxis(info.padInfo.top, kh, sh, h);
  const pw = planAxis(info.padInfo.left, kw, sw, w);
  const f = phaseFilter(backend, filter, ph, pw, sh, sw);
  const dyWin = spatialWindow(dy, [ph.start, ph.blocks + ph.taps - 1], [pw.start, pw.blocks + pw.taps - 1]);
  const g = tf.conv2d(dyWin, f, 1, 'valid'); // [N, blocksH, blocksW, sh*sw*Ci]
  if (sh === 1 && sw === 1 && ph.offset === 0 && pw.offset === 0 && g.shape[1] === h && g.shape[2] === w) return g;
  return interleavePhases(backend, g, p.inputShape, ph, pw, sh, sw);
}

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const nchw = a.dataFormat === 'NCHW';
  const [d0, d1, d2, d3] = shape4(a.inputShape);
  // inputShape follows dataFormat; the computation is NHWC.
  const inputShape: [number, number, number, number] = nchw ? [d0, d2, d3, d1] : [d0, d1, d2, d3];
  return compose(backend, { dy, filter }, (t) => {
    const dyNhwc = (nchw ? tf.transpose(t.dy, [0, 2, 3, 1]) : t.dy) as tf.Tensor4D;
    const dx = conv2dInputGradient(backend, dyNhwc, t.filter as tf.Tensor4D, {
      inputShape,
      strides: pair(a.strides),
      pad: nhwcPad(a.pad, nchw),
      dimRoundingMode: a.dimRoundingMode,
    });
    return nchw ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(kernelFunc),
};
