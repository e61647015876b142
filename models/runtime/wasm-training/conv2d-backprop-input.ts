// Conv2DBackpropInput for the wasm backend. The shipped kernel is a naive loop; it runs both the
// input gradient of every conv layer and the forward pass of conv2dTranspose, so it dominates
// training once the filter gradient is fast.
//
// dx[u - top] = sum over (o, k) with o*s + k = u of dy[o] * W[k]   (per spatial axis)
// Split u = q*s + r: only taps k = r + j*s contribute, from dy[q - j]. For each phase r that is a
// stride-1 correlation of dy with the flipped sub-filter W[r::s]. All s*s phases share the input,
// so they run as ONE XNNPACK convolution with s*s*Ci output channels (sub-filters zero-padded to
// ceil(K/s) taps), and a reshape/transpose interleaves the phases back into space. With stride 1
// this is just a convolution with the flipped, channel-swapped filter.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, compose, pair, shape4, spatialWindow, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

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

/** dx for an NHWC convolution with filter `filter` ([KH,KW,Ci,Co]) whose output gradient is `dy`. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, p: BackpropInputParams): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const [n, h, w] = p.inputShape;
  const info = tf.backend_util.computeConv2DInfo(p.inputShape, filter.shape, p.strides, 1, p.pad, p.dimRoundingMode, false, 'channelsLast');
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const ph = planAxis(info.padInfo.top, kh, sh, h);
  const pw = planAxis(info.padInfo.left, kw, sw, w);

  // Filter [KH,KW,Ci,Co] -> [tapsH, tapsW, Co, sh*sw*Ci]: zero-pad taps to a multiple of the
  // stride, split each tap index into (tap, phase), flip the taps, move phases next to Ci.
  let f: tf.Tensor = filter;
  const extraH = ph.taps * sh - kh;
  const extraW = pw.taps * sw - kw;
  if (extraH || extraW) f = tf.pad(f, [[0, extraH], [0, extraW], [0, 0], [0, 0]]);
  if (sh === 1 && sw === 1) {
    f = tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]);
  } else {
    f = tf.reshape(f, [ph.taps, sh, pw.taps, sw, ci, co]);
    f = tf.reverse(f, [0, 2]);
    f = tf.transpose(f, [0, 2, 5, 1, 3, 4]);
    f = tf.reshape(f, [ph.taps, pw.taps, co, sh * sw * ci]);
  }

  const dyWin = spatialWindow(dy, [ph.start, ph.blocks + ph.taps - 1], [pw.start, pw.blocks + pw.taps - 1]);
  let out: tf.Tensor = tf.conv2d(dyWin, f as tf.Tensor4D, 1, 'valid'); // [N, blocksH, blocksW, sh*sw*Ci]
  if (sh !== 1 || sw !== 1) {
    out = tf.reshape(out, [n, ph.blocks, pw.blocks, sh, sw, ci]);
    out = tf.transpose(out, [0, 1, 3, 2, 4, 5]);
    out = tf.reshape(out, [n, ph.blocks * sh, pw.blocks * sw, ci]);
  }
  const o4 = out as tf.Tensor4D;
  if (ph.offset === 0 && pw.offset === 0 && o4.shape[1] === h && o4.shape[2] === w) return o4;
  return tf.slice(o4, [0, ph.offset, pw.offset, 0], [n, h, w, ci]);
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
    const dx = conv2dInputGradient(dyNhwc, t.filter as tf.Tensor4D, {
      inputShape,
      strides: pair(a.strides),
      pad: a.pad,
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
