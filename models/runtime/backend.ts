// Chooses the TensorFlow.js backend at run time: native TensorFlow on a GPU when the user
// installed it, then WebGPU on a hardware adapter (Dawn over Vulkan), native TensorFlow on the
// CPU, WASM (with the training kernels it lacks), pure JS.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { registerWasmTrainingKernels } from './wasm-training/index.js';
import { enableWasmThreads, requestedWasmThreads } from './wasm-threads.js';
import { registerWebgpuBackend, WebgpuUnavailableError, type AdapterSummary } from './webgpu.js';

export type { AdapterSummary } from './webgpu.js';

export interface BackendOptions {
  /** WASM threads when SENSORIUM_WASM_THREADS is unset (default 1: the single-threaded build). */
  wasmThreads?: number;
}

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** What auto tries, best first (webgpu only on a hardware adapter). */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** What we run on: one of the named choices. */
  name: BackendName;
  /** tfjs's own name for it ('tensorflow', 'wasm', 'cpu'). */
  tfBackend: string;
  /** Why each better backend was skipped (empty when the first choice worked). */
  skipped: { name: BackendName; reason: string }[];
  /** WASM only: which WASM build runs (simd, threads). */
  features?: Record<string, boolean | number>;
  /** WebGPU only: the GPU adapter (fallback = software, e.g. SwiftShader). */
  adapter?: AdapterSummary;
}

const INSTALL_ADVICE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': 'install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (needs CUDA and internet access to download libtensorflow)',
  tensorflow: 'install it with `npm install @tensorflow/tfjs-node@4.22.0` (its install step downloads libtensorflow, so it needs internet access)',
};

const NATIVE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    reason: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

export function parseBackendChoice(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto').trim() || 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(v)) {
    throw new Error(`unknown backend '${v}': choose one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return v as BackendChoice;
}

/** The backend chosen so far, or undefined before initBackend resolved. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * Selects and initialises the backend once per process. `choice` defaults to
 * SENSORIUM_BACKEND, then 'auto'. Later calls return the first result.
 */
export function initBackend(choice?: BackendChoice | string, log: (msg: string) => void = () => {}, options: BackendOptions = {}): Promise<BackendInfo> {
  if (!pending) {
    pending = select(parseBackendChoice(choice ?? process.env.SENSORIUM_BACKEND), log, options).then((info) => {
      current = info;
      return info;
    });
    pending.catch(() => {
      pending = undefined; // allow a retry with another choice after a failure
    });
  }
  return pending;
}

async function select(choice: BackendChoice, log: (msg: string) => void, options: BackendOptions): Promise<BackendInfo> {
  const order: readonly BackendName[] = choice === 'auto' ? AUTO_ORDER : [choice];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    try {
      const info = await activate(name, log, options, choice !== 'auto');
      info.skipped = skipped;
      const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
      log(`tfjs backend: ${describe(info)}${why ? ` (skipped ${why})` : ''}`);
      return info;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (choice !== 'auto') {
        throw err instanceof BackendUnavailableError ? err : new BackendUnavailableError(name, reason);
      }
      skipped.push({ name, reason: firstLine(reason) });
    }
  }
  throw new Error('no tfjs backend could be initialised');
}

async function activate(name: BackendName, log: (msg: string) => void, options: BackendOptions, forced: boolean): Promise<BackendInfo> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const pkg = NATIVE_PACKAGE[name];
    if (!isInstalled(pkg)) {
      throw new BackendUnavailableError(name, `${pkg} is not installed; ${INSTALL_ADVICE[name]}`);
    }
    try {
      await import(pkg);
    } catch (err) {
      throw new BackendUnavailableError(name, `${pkg} failed to load (${firstLine(String(err))}); ${INSTALL_ADVICE[name]}`);
    }
    if (!(await tf.setBackend('tensorflow'))) {
      throw new BackendUnavailableError(name, `${pkg} loaded but its backend did not initialise`);
    }
    return { name, tfBackend: 'tensorflow', skipped: [] };
  }
  if (name === 'webgpu') {
    let activation;
    try {
      activation = await registerWebgpuBackend(forced, log);
    } catch (err) {
      throw err instanceof WebgpuUnavailableError ? new BackendUnavailableError('webgpu', err.message) : err;
    }
    if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailableError('webgpu', 'the WebGPU device did not initialise');
    return { name, tfBackend: 'webgpu', skipped: [], adapter: activation.adapter };
  }
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    // SENSORIUM_WASM_THREADS overrides the caller's default; the threaded build falls back
    // (logged) to the single-threaded one if it cannot start.
    const requested = requestedWasmThreads(process.env.SENSORIUM_WASM_THREADS, log) ?? options.wasmThreads ?? 1;
    const threads = requested >= 2 ? await enableWasmThreads(requested, log) : undefined;
    if (!(await tf.setBackend('wasm'))) throw new BackendUnavailableError('wasm', 'the WASM module did not initialise');
    await tf.ready();
    registerWasmTrainingKernels();
    const features = await wasmFeatures();
    if (threads) features.threads = threads;
    return { name, tfBackend: 'wasm', skipped: [], features };
  }
  if (!(await tf.setBackend('cpu'))) throw new BackendUnavailableError('cpu', 'the pure-JS backend did not initialise');
  return { name, tfBackend: 'cpu', skipped: [] };
}

async function wasmFeatures(): Promise<Record<string, boolean | number>> {
  return {
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
}

function isInstalled(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** What every eval JSON says it ran on: `backend` (the name) and, on WebGPU, `adapter`. */
export interface BackendReport {
  backend: BackendName;
  /** WebGPU only: vendor, architecture, device, description, fallback (software or not). */
  adapter?: AdapterSummary;
}

/** The report of `info`, by default of the backend initBackend chose (the eval CLIs' one shared description). */
export function backendReport(info: BackendInfo | undefined = current): BackendReport {
  if (!info) throw new Error('backendReport() before initBackend() resolved');
  return { backend: info.name, ...(info.adapter ? { adapter: { ...info.adapter } } : {}) };
}

export function describe(info: BackendInfo): string {
  const feats = info.features
    ? ` [${Object.entries(info.features)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}]`
    : '';
  return `${info.name}${feats}${info.adapter ? ` [${describeAdapter(info.adapter)}]` : ''}`;
}

/** e.g. "google swiftshader, SwiftShader driver 5.0.0, software fallback". */
export function describeAdapter(a: AdapterSummary): string {
  const what = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return `${what}${a.description ? `, ${a.description}` : ''}${a.fallback ? ', software fallback' : ', hardware'}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
