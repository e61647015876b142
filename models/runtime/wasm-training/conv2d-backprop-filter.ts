// Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none, and the cpu
// backend's takes seconds per call). The filter gradient is itself a convolution once the batch
// and channel axes trade places:
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*sh + kh - top, ow*sw + kw - left, ci] * dy[n,oh,ow,co]
// Read x as a batch of Ci images with N channels ([Ci,H,W,N]) and dy as a filter ([OH,OW,N,Co]):
// a stride-1 convolution whose dilation is the forward stride yields [Ci,KH,KW,Co], which XNNPACK
// runs as one fast call.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, compose, nhwcPad, pair, shape4, spatialWindow, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

export interface BackpropFilterParams {
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  pad: tf.Conv2DBackpropFilterAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dW for an NHWC convolution of `x` whose output gradient is `dy` (dilation 1, as tfjs requires). */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, p: BackpropFilterParams): tf.Tensor4D {
  const [kh, kw] = p.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, p.filterShape, p.strides, 1, p.pad, p.dimRoundingMode, false, 'channelsLast');
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [, oh, ow] = dy.shape;
  if (oh !== info.outHeight || ow !== info.outWidth) {
    throw new Error(`Conv2DBackpropFilter: dy is [${dy.shape.join(',')}], expected spatial ${info.outHeight}x${info.outWidth}`);
  }
  // Exactly the rows/columns of padded x that some filter tap reads.
  const xs = spatialWindow(x, [-info.padInfo.top, (oh - 1) * sh + kh], [-info.padInfo.left, (ow - 1) * sw + kw]);
  const xT = tf.transpose(xs, [3, 1, 2, 0]); // [Ci, H', W', N]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
  const g = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]); // [Ci, KH, KW, Co]
  return tf.transpose(g, [1, 2, 0, 3]);
}

function kernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const nchw = a.dataFormat === 'NCHW';
  return compose(backend, { x, dy }, (t) => {
    const toNhwc = (v: tf.Tensor) => (nchw ? tf.transpose(v, [0, 2, 3, 1]) : v) as tf.Tensor4D;
    return conv2dFilterGradient(toNhwc(t.x), toNhwc(t.dy), {
      filterShape: shape4(a.filterShape),
      strides: pair(a.strides),
      pad: nhwcPad(a.pad, nchw),
      dimRoundingMode: a.dimRoundingMode,
    });
  });
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(kernelFunc),
};
