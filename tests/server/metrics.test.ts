// GET /metrics: Prometheus text with the server's counters, histograms and gauges.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelledRecording, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv?.close());

/** The value of one sample line, e.g. value(text, 'sensorium_frames_total'). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  if (!line) throw new Error(`no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('counts frames, samples, predictions, errors; histograms batches and latency; reads gauges', async () => {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    c.send({ type: 'hello', deviceId: 'metered', rateHz: 50, units: 'g' });
    await c.count('welcome', 1);
    const frames = toFrames(labelledRecording([['walking', 8]]), 40, false);
    for (const f of frames) c.send(f);
    c.send({ type: 'samples', seq: 99, t: [1], x: [NaN], y: [0], z: [0] });
    const windows = Math.floor((400 - 128) / 64) + 1;
    await c.count('prediction', windows);
    await c.until((ms) => ms.some((m) => m.type === 'error'), 5000, 'the invalid frame error');

    const res = await fetch(`${srv.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(value(text, 'sensorium_frames_total')).toBe(frames.length + 1);
    expect(value(text, 'sensorium_samples_total')).toBe(401);
    expect(value(text, 'sensorium_predictions_total')).toBe(windows);
    expect(value(text, 'sensorium_errors_total{code="invalid"}')).toBe(1);
    expect(value(text, 'sensorium_prediction_latency_seconds_count')).toBe(windows);
    expect(value(text, 'sensorium_inference_batch_size_sum')).toBe(windows);
    expect(value(text, 'sensorium_inference_queue_wait_seconds_count')).toBe(windows);
    expect(value(text, 'sensorium_inference_duration_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'sensorium_connections{endpoint="/ws/device"}')).toBe(1);
    expect(value(text, 'sensorium_connections_opened_total{endpoint="/ws/device"}')).toBe(1);
    expect(value(text, 'sensorium_devices')).toBe(1);
    expect(value(text, 'sensorium_inference_queue_depth')).toBe(0);
    // The HAR model's tensors are in this thread or in the inference worker (no series when there is none).
    const optional = (series: string) => (text.includes(`\n${series} `) ? value(text, series) : 0);
    const harTensors = Math.max(value(text, 'sensorium_tf_tensors'), optional('sensorium_inference_tf_tensors'));
    const harBytes = Math.max(value(text, 'sensorium_tf_bytes'), optional('sensorium_inference_tf_bytes'));
    expect(harTensors).toBeGreaterThan(0);
    expect(harBytes).toBeGreaterThan(0);
    expect(value(text, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    await c.close();
  });

  it('reports the live heap (old generation after the latest full GC) once a full GC has run', async () => {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    await new Promise((r) => setTimeout(r, 50));
    const live = value(await (await fetch(`${srv.url}/metrics`)).text(), 'sensorium_heap_live_bytes');
    expect(live).toBeGreaterThan(1e6);
    expect(live).toBeLessThanOrEqual(process.memoryUsage().heapTotal);
  });
});
