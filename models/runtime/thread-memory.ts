// What one thread holds, measured from inside it: its TensorFlow.js tensors, its V8 heap and its
// WASM backend's linear memory. The process's RSS is the sum of every thread's and of malloc's;
// each worker thread answers with this so that RSS growth can be split by thread (a WASM memory
// only ever grows: its size is the largest batch the thread has run, plus the allocator's slack).
import * as tf from '@tensorflow/tfjs';
import { getHeapStatistics } from 'node:v8';

export interface ThreadMemory {
  numTensors: number;
  /** Bytes of the thread's live tensors. */
  numBytes: number;
  /** This thread's V8 heap: in use, and reserved. */
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** The WASM backend's linear memory (0 on another backend, or before one is set). */
  wasmBytes: number;
}

export function threadMemory(): ThreadMemory {
  const tensors = tf.memory();
  const heap = getHeapStatistics();
  return { numTensors: tensors.numTensors, numBytes: tensors.numBytes, heapUsedBytes: heap.used_heap_size, heapTotalBytes: heap.total_heap_size, wasmBytes: wasmMemoryBytes() };
}

function wasmMemoryBytes(): number {
  if (tf.getBackend() !== 'wasm') return 0;
  // The backend's Emscripten module: its heap views share the one WebAssembly.Memory buffer.
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

/** A worker thread's memory, from its 'memory' reply (the message's other fields dropped). */
export function memoryOf(m: ThreadMemory): ThreadMemory {
  return { numTensors: m.numTensors, numBytes: m.numBytes, heapUsedBytes: m.heapUsedBytes, heapTotalBytes: m.heapTotalBytes, wasmBytes: m.wasmBytes };
}

/** What a worker that is not running holds. */
export const NO_THREAD_MEMORY: ThreadMemory = Object.freeze({ numTensors: 0, numBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, wasmBytes: 0 });
