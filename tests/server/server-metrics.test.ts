// ServerMetrics on its own: the worker threads' tensor gauges read the sources they are given.
import { afterEach, describe, expect, it } from 'vitest';
import { ServerMetrics, type MetricSources } from '../../server/metrics/server-metrics.js';
import { NO_THREAD_MEMORY, type ThreadMemory } from '../../models/runtime/thread-memory.js';

/** A worker's memory reply with these tensors (heap and WASM as given, else 0). */
const reply = (numTensors: number, numBytes: number, more: Partial<ThreadMemory> = {}): ThreadMemory => ({ ...NO_THREAD_MEMORY, numTensors, numBytes, ...more });

const base: MetricSources = {
  connections: () => ({}),
  devices: () => 0,
  detachedSessions: () => 0,
  queueDepth: () => 0,
  dashboardMessagesDropped: () => 0,
  recordingsActive: () => 0,
};

let metrics: ServerMetrics | undefined;
afterEach(() => metrics?.close());

describe('ServerMetrics', () => {
  it("reports the inference worker's tensors and bytes as they change", async () => {
    metrics = new ServerMetrics();
    let mem = reply(12, 3456);
    metrics.watch({ ...base, inferenceTfMemory: () => Promise.resolve(mem) });
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_tensors 12$/m);
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_bytes 3456$/m);
    mem = reply(13, 4000);
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_tensors 13$/m);
  });

  it("reports the text models' step worker apart from the inference worker", async () => {
    metrics = new ServerMetrics();
    metrics.watch({ ...base, inferenceTfMemory: () => Promise.resolve(reply(12, 1)), textTfMemory: () => Promise.resolve(reply(7, 2048)) });
    const text = await metrics.text();
    expect(text).toMatch(/^sensorium_text_tf_tensors 7$/m);
    expect(text).toMatch(/^sensorium_text_tf_bytes 2048$/m);
    expect(text).toMatch(/^sensorium_inference_tf_tensors 12$/m);
  });

  it('leaves the series out (no NaN) when the model runs in this thread or the worker cannot answer', async () => {
    metrics = new ServerMetrics();
    let answer: MetricSources['inferenceTfMemory'] = () => undefined;
    metrics.watch({ ...base, inferenceTfMemory: () => answer!() });
    expect(await metrics.text()).not.toMatch(/^sensorium_inference_tf_tensors /m);
    answer = () => Promise.reject(new Error('the worker is gone'));
    expect(await metrics.text()).not.toMatch(/^sensorium_inference_tf_tensors /m);
    expect(await metrics.text()).toMatch(/^sensorium_tf_tensors \d+$/m);
    answer = () => Promise.resolve(reply(5, 10));
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_tensors 5$/m);
    expect(await metrics.text()).not.toMatch(/\bnan\b/i);
  });

  it("reports each thread's heap and WASM memory, and leaves out a worker that does not answer", async () => {
    metrics = new ServerMetrics();
    let text: MetricSources['textTfMemory'] = () => Promise.resolve(reply(7, 2048, { heapTotalBytes: 9_000_000, wasmBytes: 33_554_432 }));
    metrics.watch({ ...base, inferenceTfMemory: () => Promise.resolve(reply(12, 1, { heapTotalBytes: 5_000_000, wasmBytes: 16_777_216 })), textTfMemory: () => text!() });
    let out = await metrics.text();
    expect(out).toMatch(/^sensorium_thread_wasm_bytes\{thread="text"\} 33554432$/m);
    expect(out).toMatch(/^sensorium_thread_wasm_bytes\{thread="inference"\} 16777216$/m);
    expect(out).toMatch(/^sensorium_thread_heap_bytes\{thread="inference"\} 5000000$/m);
    // The main thread measures itself: its V8 heap is never empty.
    expect(Number(out.match(/^sensorium_thread_heap_bytes\{thread="main"\} (\d+)$/m)?.[1])).toBeGreaterThan(1_000_000);
    text = () => Promise.reject(new Error('the worker is gone'));
    out = await metrics.text();
    expect(out).not.toMatch(/thread="text"/);
    expect(out).toMatch(/^sensorium_thread_heap_bytes\{thread="inference"\} 5000000$/m);
  });
});
