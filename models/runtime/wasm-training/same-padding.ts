// Conv2D, FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2D on wasm 4.22 return zeros
// for padding 'same' when a stride exceeds the kernel and the input size leaves TensorFlow's
// 'same' padding negative (clamped to 0), e.g. a 1x2 kernel with stride 3 on width 6. XNNPACK's
// TF-SAME mode mishandles that case; the same convolution with the (zero) padding spelled out
// explicitly is correct, so we rewrite just those calls and leave the rest to the native kernel.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, callKernel, originalWasmKernel, shape4, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

interface ConvAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Explicit padding equal to 'same' when the native 'same' path would be wrong, else undefined. */
export function explicitSamePadding(xShape: number[], filterShape: number[], a: ConvAttrs, depthwise: boolean): tf.backend_util.ExplicitPadding | undefined {
  if (a.pad !== 'same' || (a.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  const info = tf.backend_util.computeConv2DInfo(shape4(xShape), shape4(filterShape), a.strides, a.dilations ?? 1, 'same', a.dimRoundingMode, depthwise);
  const negative = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight < info.inHeight || (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth < info.inWidth;
  if (!negative) return undefined;
  const { top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

function config(name: string, depthwise: boolean): KernelConfig | undefined {
  const original = originalWasmKernel(name);
  if (!original) return undefined;
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const pad = explicitSamePadding(x.shape, filter.shape, args.attrs as unknown as ConvAttrs, depthwise);
    return callKernel(original, pad ? { ...args, attrs: { ...args.attrs, pad } } : args);
  };
  return { kernelName: name, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc: asKernelFunc(kernelFunc) };
}

/** The four forward convolution kernels with the 'same'-padding fix. */
export function samePaddingConfigs(): (KernelConfig | undefined)[] {
  return [config(tf.Conv2D, false), config(tf.FusedConv2D, false), config(tf.DepthwiseConv2dNative, true), config(tf.FusedDepthwiseConv2D, true)];
}
