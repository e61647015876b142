// bench/train-models.ts: every reference model takes training steps on wasm without leaking
// tensors (the benchmark times hundreds of them).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../models/runtime/backend.js';
import { BENCH_FACTORIES, MODEL_NAMES } from '../../bench/train-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('training benchmark models', () => {
  it.each(MODEL_NAMES)(
    '%s trains on wasm with a flat tensor count',
    async (name) => {
      const bench = BENCH_FACTORIES[name](4);
      try {
        await bench.step(); // creates the optimizer's slots
        const before = tf.memory().numTensors;
        await bench.step();
        await bench.step();
        expect(tf.memory().numTensors).toBe(before);
        expect(bench.samplesPerStep).toBe(4);
      } finally {
        bench.dispose();
      }
    },
    120_000,
  );
});
