// threadMemory: what one thread holds, as each worker thread reports it (server/*/…-worker.ts).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../models/runtime/backend.js';
import { threadMemory } from '../../models/runtime/thread-memory.js';

describe('threadMemory', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it("reports this thread's tensors, its V8 heap and the WASM backend's memory, which grows with what ran", () => {
    const before = threadMemory();
    expect(before.heapTotalBytes).toBeGreaterThanOrEqual(before.heapUsedBytes);
    expect(before.heapUsedBytes).toBeGreaterThan(1_000_000);
    expect(before.wasmBytes % 65_536).toBe(0); // whole WebAssembly pages
    const big = tf.zeros([before.wasmBytes / 4 + 1_000_000]); // more floats than the memory had bytes
    const during = threadMemory();
    expect(during.numTensors).toBe(before.numTensors + 1);
    expect(during.numBytes).toBe(before.numBytes + big.size * 4);
    expect(during.wasmBytes).toBeGreaterThan(before.wasmBytes + 4_000_000);
    big.dispose();
    // A WebAssembly memory never shrinks: its size is the most this thread has held at once.
    expect(threadMemory().wasmBytes).toBe(during.wasmBytes);
    expect(threadMemory().numTensors).toBe(before.numTensors);
  });
});
