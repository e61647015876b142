// Multi-threaded WASM backend for Node: on by default for training CLIs and benches, opt-in
// elsewhere (SENSORIUM_WASM_THREADS=N; 1 forces the single-threaded build).
//
// tfjs-backend-wasm 4.22 never picks its threaded build in Node: the WASM_HAS_MULTITHREAD_SUPPORT
// flag is hard-wired to false there, and even when forced, init() hands emscripten `blob:` URLs
// for the pthread worker and main script, which node's Worker rejects (ERR_WORKER_PATH). So we
// instantiate the threaded emscripten module ourselves from real file paths, wrap it in the
// package's own BackendWasm class, and re-register the 'wasm' backend factory with it. The kernels
// stay registered under 'wasm', so everything (incl. our training kernels) runs unchanged.
import * as tf from '@tensorflow/tfjs';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const THREADED_JS = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER_SOURCE_JS = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
/** tfjs registers 'wasm' with this priority; keep it so auto-selection is unchanged. */
const WASM_PRIORITY = 2;
const LOAD_TIMEOUT_MS = 30_000;

/** The emscripten module surface we touch (plus what BackendWasm's kernels use internally). */
interface ThreadedModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => unknown;
  PThread: { runningWorkers: { unref(): void }[]; terminateAllThreads(): void };
  tfjs?: Record<string, unknown>;
}

/**
 * Reads SENSORIUM_WASM_THREADS: 1 = the single-threaded build, N >= 2 = the threaded build with N
 * threads. Unset/empty -> undefined (the caller's default applies). An invalid value is reported
 * through `log` and ignored rather than failing the backend: with 'auto', a throw here would
 * silently demote us to the slow cpu backend.
 */
export function requestedWasmThreads(value: string | undefined, log: (msg: string) => void): number | undefined {
  const v = (value ?? '').trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    log(`SENSORIUM_WASM_THREADS='${v}' ignored: expected an integer >= 1`);
    return undefined;
  }
  return n;
}

/**
 * Threads for training and throughput benchmarks: one per core (at most 8), unless the machine
 * is already oversubscribed (1-minute load average above the core count; a benchmark that just
 * ran leaves ~1-2 behind on its own). Measured on 2 cores (bench train, batch 32): at load 0.2-1.6,
 * 2 threads were 1.2-1.5x faster than 1 on the conv models; at load ~9 they were 0.7-0.85x
 * (pthreadpool's workers wait for cores that other processes hold).
 */
export function trainingWasmThreads(log: (msg: string) => void = () => {}, load = os.loadavg()[0]!, cores = os.availableParallelism()): number {
  const n = Math.max(1, Math.min(8, cores));
  if (n < 2) return 1;
  if (load > cores) {
    log(`WASM threads: 1, not ${n}: the load average is ${load.toFixed(1)} on ${cores} cores (SENSORIUM_WASM_THREADS=${n} forces threads)`);
    return 1;
  }
  return n;
}

/**
 * Makes the next `tf.setBackend('wasm')` use the threaded SIMD build with `threads` threads.
 * Call after importing '@tensorflow/tfjs-backend-wasm' and before setBackend. Returns the thread
 * count the native side actually created, or undefined (after logging why) when the threaded build
 * could not start — the stock single-threaded registration is then left untouched.
 */
export async function enableWasmThreads(threads: number, log: (msg: string) => void = () => {}): Promise<number | undefined> {
  if (!Number.isInteger(threads) || threads < 2) {
    log(`WASM threads: ${threads} is not an integer >= 2; staying single-threaded`);
    return undefined;
  }
  let module: ThreadedModule | undefined;
  try {
    if (tf.engine().registry['wasm']) {
      throw new Error('the wasm backend is already initialised; call enableWasmThreads before tf.setBackend');
    }
    module = await withLogicalCores(2 * threads, () => withTimeout(loadThreadedModule(), LOAD_TIMEOUT_MS));
    const backend = createBackend(module, threads);
    const actual = wasmBackend.getThreadsCount();
    // pthreadpool workers are ref()'d while alive; they only ever run work the main thread hands
    // them, so they must not keep a finished CLI process from exiting.
    for (const w of module.PThread.runningWorkers) w.unref();
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => backend, WASM_PRIORITY);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    if (actual !== threads) log(`WASM threads: asked for ${threads}, native pool has ${actual}`);
    return actual;
  } catch (err) {
    module?.PThread.terminateAllThreads();
    const reason = err instanceof Error ? err.message : String(err);
    log(`WASM threads: threaded build unavailable (${reason.split('\n')[0]}); using single-threaded WASM`);
    return undefined;
  }
}

async function loadThreadedModule(): Promise<ThreadedModule> {
  const require = createRequire(import.meta.url);
  const mainScript = require.resolve(THREADED_JS);
  const dir = path.dirname(mainScript);
  const workerScript = writeWorkerScript(require(WORKER_SOURCE_JS).wasmWorkerContents as string);
  const factory = require(mainScript) as (config: object) => Promise<ThreadedModule>;
  return factory({
    // Real paths instead of tfjs's blob: URLs: node Workers and the worker's importScripts
    // (fs.readFileSync) only understand file paths.
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerScript : path.join(dir, file)),
    mainScriptUrlOrBlob: mainScript,
  });
}

/**
 * The package ships the pthread worker only as a JS string (meant for a Blob), so write it to a
 * content-addressed file once. The string holds `\n` escapes as real newlines inside string
 * literals; re-escape them exactly as tfjs does before making its Blob.
 */
function writeWorkerScript(contents: string): string {
  const source = contents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'sensorium-tfjs-wasm');
  const file = path.join(dir, `pthread-worker-${hash}.cjs`); // .cjs: the worker uses require()
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, source);
    renameSync(tmp, file); // atomic, so concurrent processes never run a half-written worker
  }
  return file;
}

function createBackend(module: ThreadedModule, threads: number): tf.KernelBackend {
  // The same cwraps tfjs's init() attaches; BackendWasm and its kernels call these.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasmBackend.setThreadsCount(threads);
  // BackendWasm's constructor creates the native thread pool (init_with_threads_count).
  return new wasmBackend.BackendWasm(module as unknown as ConstructorParameters<typeof wasmBackend.BackendWasm>[0]);
}

/**
 * The native side caps its pool at half of emscripten_num_logical_cores(), which it reads once
 * from os.cpus() while the module starts. Report `count` cores during that start-up only, so the
 * requested thread count is honoured; the real os.cpus is restored right after.
 */
async function withLogicalCores<T>(count: number, fn: () => Promise<T>): Promise<T> {
  const real = os.cpus;
  const fake = (): os.CpuInfo[] => {
    const cpus = real();
    const first = cpus[0];
    return first && cpus.length < count ? [...cpus, ...Array.from({ length: count - cpus.length }, () => first)] : cpus;
  };
  (os as { cpus: () => os.CpuInfo[] }).cpus = fake;
  try {
    return await fn();
  } finally {
    (os as { cpus: () => os.CpuInfo[] }).cpus = real;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`threaded module did not start within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
