// ServerMetrics on its own: the worker threads' tensor gauges read the sources they are given.
import { afterEach, describe, expect, it } from 'vitest';
import { ServerMetrics, type MetricSources } from '../../server/metrics/server-metrics.js';

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
    let mem = { numTensors: 12, numBytes: 3456 };
    metrics.watch({ ...base, inferenceTfMemory: () => Promise.resolve(mem) });
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_tensors 12$/m);
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_bytes 3456$/m);
    mem = { numTensors: 13, numBytes: 4000 };
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_tensors 13$/m);
  });

  it("reports the text models' step worker apart from the inference worker", async () => {
    metrics = new ServerMetrics();
    metrics.watch({ ...base, inferenceTfMemory: () => Promise.resolve({ numTensors: 12, numBytes: 1 }), textTfMemory: () => Promise.resolve({ numTensors: 7, numBytes: 2048 }) });
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
    answer = () => Promise.resolve({ numTensors: 5, numBytes: 10 });
    expect(await metrics.text()).toMatch(/^sensorium_inference_tf_tensors 5$/m);
    expect(await metrics.text()).not.toMatch(/\bnan\b/i);
  });
});
