// Shared plumbing for the WASM training kernels: turning kernel inputs into tensors that tf ops
// accept, handing a composed result back to the engine with correct ownership, and marking the
// kernels we register so that registration stays idempotent.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };
export type KernelConfig = tf.KernelConfig;
export type TensorInfo = tf.TensorInfo;

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
export function compose<K extends string>(
  backend: tf.KernelBackend,
  inputs: Record<K, TensorInfo>,
  compute: (t: Record<K, tf.Tensor>) => tf.Tensor,
): TensorInfo {
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
