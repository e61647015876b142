// SENSORIUM_WASM_THREADS is read once per process when the backend starts, so each case runs in a
// child process (npx tsx --eval) that prints one JSON line.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// Builds a seeded conv model, predicts a fixed batch, and takes one training step (which needs the
// WASM training kernels registered after setBackend).
// tsx --eval compiles to CommonJS, hence the async wrapper and dynamic imports.
const CHILD = `(async () => {
const tf = await import('@tensorflow/tfjs');
const { initBackend } = await import('./models/runtime/backend.ts');
const logs = [];
const info = await initBackend('wasm', (m) => logs.push(m), JSON.parse(process.env.TEST_BACKEND_OPTIONS || '{}'));
const model = tf.sequential({ layers: [
  tf.layers.conv1d({ inputShape: [32, 3], filters: 8, kernelSize: 5, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }),
] });
model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
const x = tf.tidy(() => tf.sin(tf.range(0, 16 * 32 * 3).reshape([16, 32, 3]).mul(0.37)));
const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 4), 'int32'), 4);
const pred = Array.from(await model.predict(x).data());
const hist = await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
console.log(JSON.stringify({ features: info.features, logs, pred, loss: hist.history.loss[0] }));
})();`;

interface ChildResult {
  features: Record<string, boolean | number>;
  logs: string[];
  pred: number[];
  loss: number;
}

async function child(threads?: string, options: { wasmThreads?: number } = {}): Promise<ChildResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, SENSORIUM_BACKEND: 'wasm', TEST_BACKEND_OPTIONS: JSON.stringify(options) };
  delete env.SENSORIUM_WASM_THREADS;
  if (threads !== undefined) env.SENSORIUM_WASM_THREADS = threads;
  const { stdout } = await run('npx', ['tsx', '--eval', CHILD], { cwd: process.cwd(), env, timeout: 90_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as ChildResult;
}

describe('SENSORIUM_WASM_THREADS', () => {
  it('runs the threaded build with the requested threads and predicts like the single-threaded one', async () => {
    const [single, threaded] = await Promise.all([child(), child('2')]);
    expect(single.features.threads).toBe(false);
    expect(threaded.features.threads).toBe(2);
    expect(threaded.pred).toHaveLength(64);
    threaded.pred.forEach((v, i) => expect(v).toBeCloseTo(single.pred[i]!, 5));
    expect(Number.isFinite(threaded.loss)).toBe(true);
    expect(threaded.loss).toBeCloseTo(single.loss, 4);
  }, 180_000);

  it('ignores an invalid value with a logged reason and stays single-threaded', async () => {
    const result = await child('one');
    expect(result.features.threads).toBe(false);
    expect(result.logs.join('\n')).toMatch(/SENSORIUM_WASM_THREADS='one' ignored/);
  }, 120_000);

  it('lets a caller default to threads (training CLIs do) and SENSORIUM_WASM_THREADS=1 opt out', async () => {
    const [byDefault, optedOut] = await Promise.all([child(undefined, { wasmThreads: 2 }), child('1', { wasmThreads: 2 })]);
    expect(byDefault.features.threads).toBe(2);
    expect(optedOut.features.threads).toBe(false);
    expect(optedOut.logs.join('\n')).not.toMatch(/ignored/);
  }, 180_000);
});

describe('trainingWasmThreads', () => {
  it('uses every core (at most 8) unless the machine is oversubscribed, then one thread, saying why', async () => {
    const { trainingWasmThreads } = await import('../../models/runtime/wasm-threads.js');
    const logs: string[] = [];
    expect(trainingWasmThreads((m) => logs.push(m), 0.3, 2)).toBe(2);
    expect(trainingWasmThreads((m) => logs.push(m), 0.3, 16)).toBe(8);
    expect(trainingWasmThreads((m) => logs.push(m), 0.3, 1)).toBe(1);
    expect(trainingWasmThreads((m) => logs.push(m), 1.9, 2)).toBe(2); // what a benchmark leaves behind
    expect(logs).toEqual([]);
    expect(trainingWasmThreads((m) => logs.push(m), 5.2, 2)).toBe(1);
    expect(logs[0]).toMatch(/load average is 5.2 on 2 cores/);
  });
});
