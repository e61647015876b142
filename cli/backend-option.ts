// The --backend option every CLI shares, and the one line that says what we run on.
import { defineOption } from './args.js';
import { BACKEND_CHOICES, describe, initBackend, type BackendInfo, type BackendOptions } from '../models/runtime/backend.js';
import { trainingWasmThreads } from '../models/runtime/wasm-threads.js';

export const backendOption = defineOption({
  type: 'string',
  choices: BACKEND_CHOICES,
  default: process.env.SENSORIUM_BACKEND || 'auto',
  description: 'tfjs backend (env SENSORIUM_BACKEND); auto = tensorflow-gpu, webgpu (hardware GPU only), tensorflow, wasm, cpu; webgpu forced runs on SwiftShader without a GPU',
});

/** Initialises the backend and reports it on stderr. */
export async function useBackend(choice: string): Promise<BackendInfo> {
  return initBackend(choice, (msg) => console.error(msg));
}

/** Like useBackend, but WASM uses every core of a quiet machine unless SENSORIUM_WASM_THREADS says otherwise. */
export async function useTrainingBackend(choice: string): Promise<BackendInfo> {
  const log = (msg: string) => console.error(msg);
  return initBackend(choice, log, trainingBackendOptions(log));
}

/** WASM threads for training: SENSORIUM_WASM_THREADS when set (initBackend reads it), else trainingWasmThreads. */
export function trainingBackendOptions(log: (msg: string) => void): BackendOptions {
  return process.env.SENSORIUM_WASM_THREADS ? {} : { wasmThreads: trainingWasmThreads(log) };
}

export { describe as describeBackend };
