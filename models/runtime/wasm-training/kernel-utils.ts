// Shared plumbing for the WASM training kernels: turning kernel inputs into tensors that tf ops
// accept, handing a composed result back to the engine with correct ownership, and marking the
// kernels we register so that registration stays idempotent.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };
export type KernelConfig = tf.KernelConfig;
export type TensorInfo = tf.TensorInfo;

/** What the engine passes a kernel, with the backend typed as the class it really is. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** Adapts a kernel written against KernelArgs to tfjs's KernelFunc type (backend typed `{}`). */
export function asKernelFunc(fn: (args: KernelArgs) => TensorInfo | TensorInfo[]): tf.KernelFunc {
  return fn as unknown as tf.KernelFunc;
}

/** Calls a registered kernel's function with our argument type. */
export function callKernel(config: KernelConfig, args: KernelArgs): TensorInfo | TensorInfo[] {
  return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
}

/** Marks kernel configs made by this folder, so a second registration recognises its own work. */
const OURS = Symbol.for('sensorium.wasmTrainingKernel');

export interface OurKernelConfig extends KernelConfig {
  [OURS]: true;
}

export function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config as Partial<OurKernelConfig>)[OURS] === true;
}

export function markOurs(config: KernelConfig): OurKernelConfig {
  return Object.assign(config, { [OURS]: true as const });
}

/**
 * Registers `config` for the wasm backend, replacing whatever is there (tf.registerKernel only
 * warns and overwrites; unregistering first keeps the log quiet).
 */
export function replaceKernel(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(markOurs(config));
}

/**
 * The wasm kernel that tfjs-backend-wasm registered for `name`, never one of ours: we remember the
 * first original we saw, so re-registration cannot make a kernel call itself.
 */
const originals = new Map<string, KernelConfig>();
export function originalWasmKernel(name: string): KernelConfig | undefined {
  const known = originals.get(name);
  if (known) return known;
  const current = tf.getKernel(name, 'wasm');
  if (current === undefined || isOurs(current)) return undefined;
  originals.set(name, current);
  return current;
}

function isTensor(info: TensorInfo): info is tf.Tensor {
  return info instanceof tf.Tensor;
}

/**
 * Runs `compute` on tensors for `inputs` inside a tidy, and returns the result as a TensorInfo the
 * engine can adopt. Inputs that are already Tensors are used as they are (ops never dispose
 * their inputs, and tidy only disposes tensors it created); bare TensorInfos get a wrapper that
 * holds its own reference. The result's data gets one extra reference before its wrapper is
 * disposed, so the engine's new wrapper becomes the single owner and numTensors stays exact.
 */
export function compose<K extends string>(backend: tf.KernelBackend, inputs: Record<K, TensorInfo>, compute: (t: Record<K, tf.Tensor>) => tf.Tensor): TensorInfo {
  const result = tf.tidy(() => {
    const ts = {} as Record<K, tf.Tensor>;
    for (const key of Object.keys(inputs) as K[]) {
      const info = inputs[key];
      if (isTensor(info)) {
        ts[key] = info;
      } else {
        backend.incRef(info.dataId);
        ts[key] = tf.engine().makeTensorFromTensorInfo(info, backend);
      }
    }
    const out = compute(ts);
    // An op may hand back an input unchanged; a clone gives the engine an output it may own.
    return Object.values<tf.Tensor>(ts).includes(out) ? out.clone() : out;
  });
  backend.incRef(result.dataId);
  const info: TensorInfo = { dataId: result.dataId, shape: result.shape.slice(), dtype: result.dtype };
  result.dispose();
  return info;
}

/** A [height, width] pair from a scalar-or-pair attribute. */
export function pair(v: number | [number, number] | number[]): [number, number] {
  if (typeof v === 'number') return [v, v];
  const [a, b] = v;
  if (a === undefined) throw new Error('expected a number or a pair');
  return [a, b ?? a];
}

/** The shape of a 4-D tensor, typed as a tuple. */
export function shape4(info: TensorInfo | readonly number[]): [number, number, number, number] {
  const s = Array.isArray(info) ? info : (info as TensorInfo).shape;
  if (s.length !== 4) throw new Error(`expected a 4-D shape, got [${s.join(',')}]`);
  return [s[0]!, s[1]!, s[2]!, s[3]!];
}

/**
 * The window [start, start + length) of each spatial axis (1 and 2) of an NHWC tensor, where
 * positions outside the tensor read as zero: negative starts and overruns become zero padding,
 * and rows or columns that are never read are sliced away.
 */
export function spatialWindow(x: tf.Tensor4D, h: [start: number, length: number], w: [start: number, length: number]): tf.Tensor4D {
  const [n, height, width, c] = x.shape;
  const cut = (start: number, length: number, size: number) => {
    const from = Math.min(Math.max(0, start), size);
    const to = Math.max(from, Math.min(size, start + length));
    const before = Math.min(length, Math.max(0, -start));
    return { from, size: to - from, before, after: length - before - (to - from) };
  };
  const ch = cut(h[0], h[1], height);
  const cw = cut(w[0], w[1], width);
  let out = x;
  if (ch.from !== 0 || ch.size !== height || cw.from !== 0 || cw.size !== width) {
    out = tf.slice(out, [0, ch.from, cw.from, 0], [n, ch.size, cw.size, c]);
  }
  if (ch.before || ch.after || cw.before || cw.after) {
    out = tf.pad(out, [
      [0, 0],
      [ch.before, ch.after],
      [cw.before, cw.after],
      [0, 0],
    ]);
  }
  return out;
}

/** The float32 data of a wasm tensor, viewed in place in the heap. */
export function heapF32(backend: tf.KernelBackend, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected float32, got ${t.dtype}`);
  return (backend as unknown as BackendWasm).typedArrayFromHeap(t) as Float32Array;
}

/**
 * A new float32 tensor on the wasm heap, filled by `fill`, returned as the TensorInfo a kernel
 * hands to the engine. Take views of the inputs inside `fill`: allocating the output may grow
 * the heap, which detaches views taken before.
 */
export function heapOutput(backend: tf.KernelBackend, shape: number[], fill: (out: Float32Array) => void): TensorInfo {
  const info = (backend as unknown as BackendWasm).makeOutput(shape, 'float32');
  fill(heapF32(backend, info));
  return info;
}

/** heapOutput as a tracked Tensor, for use among tf ops (e.g. inside compose). */
export function heapTensor(backend: tf.KernelBackend, shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(heapOutput(backend, shape, fill), backend);
}

type PadAttr = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** A conv `pad` attribute in NHWC terms: explicit NCHW paddings list H and W at axes 2 and 3. */
export function nhwcPad(pad: PadAttr, nchw: boolean): PadAttr {
  if (!nchw || !Array.isArray(pad)) return pad;
  return [[0, 0], pad[2], pad[3], [0, 0]] as tf.backend_util.ExplicitPadding;
}
