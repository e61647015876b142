// A bridge that runs the cpu backend's kernel for anything the wasm backend lacks: copy the inputs
// out of the wasm heap, run the pure-JS kernel, copy the outputs back. Slow for heavy kernels
// (those get dedicated implementations in this folder), but it makes every remaining op work.
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, callKernel, type BackendWasm, type KernelArgs, type KernelConfig, type TensorInfo } from './kernel-utils.js';

/**
 * Kernels the bridge cannot serve: complex64 tensors have no representation in wasm memory, and
 * Draw paints on a browser canvas.
 */
export const UNBRIDGEABLE: ReadonlySet<string> = new Set(['Complex', 'ComplexAbs', 'Real', 'Imag', 'FFT', 'IFFT', 'Draw']);

function cpuBackend(): tf.KernelBackend {
  // findBackend initialises the cpu backend on first use without making it the active one.
  const cpu = tf.engine().findBackend('cpu');
  if (!cpu) throw new Error('the cpu backend is not registered, so the wasm cpu-fallback cannot run');
  return cpu;
}

function runOnCpu(name: string, { inputs, backend, attrs }: KernelArgs): TensorInfo | TensorInfo[] {
  const cpuKernel = tf.getKernel(name, 'cpu');
  if (!cpuKernel) throw new Error(`no cpu kernel '${name}' to fall back to`);
  const cpu = cpuBackend();
  const written: tf.DataId[] = [];
  const toCpu = (info: TensorInfo | undefined): TensorInfo | undefined => {
    if (info == null) return info;
    const dataId = cpu.write(backend.readSync(info.dataId), info.shape, info.dtype);
    written.push(dataId);
    return { dataId, shape: info.shape, dtype: info.dtype };
  };
  // Pack/Concat-style kernels receive an array of inputs; keep that shape.
  const cpuInputs = (Array.isArray(inputs) ? (inputs as (TensorInfo | undefined)[]).map(toCpu) : Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, toCpu(v)]))) as tf.NamedTensorInfoMap;
  let outs: TensorInfo[] = [];
  let single = false;
  try {
    const result = callKernel(cpuKernel, { inputs: cpuInputs, backend: cpu, attrs });
    single = !Array.isArray(result);
    outs = Array.isArray(result) ? result : [result];
    const wasm = backend as unknown as BackendWasm;
    const converted = outs.map((o) => {
      if (o.dtype === 'complex64') throw new Error(`cpu-fallback: '${name}' returned complex64, which wasm cannot hold`);
      return wasm.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId));
    });
    return single ? converted[0]! : converted;
  } finally {
    // Outputs may alias inputs (Reshape-like kernels bump the refCount), so release each handle once.
    for (const o of outs) cpu.disposeData(o.dataId);
    for (const id of written) cpu.disposeData(id);
  }
}

export function cpuFallbackConfig(name: string): KernelConfig {
  return {
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: asKernelFunc((args) => runOnCpu(name, args)),
  };
}

/** Kernels registered for cpu that wasm has no kernel for (and that the bridge can serve). */
export function missingWasmKernels(): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((n) => !wasm.has(n) && !UNBRIDGEABLE.has(n));
}
