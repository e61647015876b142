import { describe, expect, it } from 'vitest';
import { resampleSeries } from '../../data/signal/resampler.js';
import { DEFAULT_LIMITS, STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import { DEFAULT_CONFIG } from '../../server/config.js';
import { DevicePipeline, type DevicePipelineOptions } from '../../server/pipeline/device-pipeline.js';
import type { SignalPoints, SmoothedWindow } from '../../server/pipeline/types.js';

const MODEL = { windowSize: 128, hop: 64, rateHz: 50 };

/** A classifier stand-in: probability of class 0 = mean x of the window (clamped), class 1 = the rest. */
async function meanXClassifier(window: Float32Array): Promise<Float32Array> {
  let sum = 0;
  for (let i = 0; i < window.length; i += 3) sum += window[i]!;
  const p = Math.min(1, Math.max(0, sum / (window.length / 3)));
  return Float32Array.of(p, 1 - p);
}

function run(opts: Partial<DevicePipelineOptions> = {}) {
  const predictions: SmoothedWindow[] = [];
  const signal: SignalPoints[] = [];
  const invalid: ValidationError[] = [];
  const pipeline = new DevicePipeline(
    {
      units: 'g',
      limits: DEFAULT_LIMITS,
      pipeline: { ...DEFAULT_CONFIG.pipeline, smoothing: { kind: 'none' } },
      model: MODEL,
      signal: { hz: 10, intervalMs: 20 },
      classify: meanXClassifier,
      ...opts,
    },
    {
      invalid: (e) => invalid.push(e),
      prediction: (w) => predictions.push(w),
      signal: (s) => signal.push(s),
      classifyFailed: (err) => {
        throw err;
      },
      crashed: (err) => {
        throw err;
      },
    },
  );
  return { pipeline, predictions, signal, invalid };
}

/** n samples at 100 Hz from t0, x = value, with labels. */
function frames(n: number, perFrame: number, opts: { t0?: number; x?: (i: number) => number; label?: (i: number) => string; firstSeq?: number } = {}) {
  const out: Record<string, unknown>[] = [];
  for (let from = 0, seq = opts.firstSeq ?? 0; from < n; from += perFrame, seq++) {
    const idx = Array.from({ length: Math.min(perFrame, n - from) }, (_, k) => from + k);
    out.push({
      type: 'samples',
      seq,
      t: idx.map((i) => (opts.t0 ?? 0) + i * 10),
      x: idx.map((i) => opts.x?.(i) ?? 0.25),
      y: idx.map(() => 0),
      z: idx.map(() => 1),
      labels: idx.map((i) => opts.label?.(i) ?? 'walking'),
    });
  }
  return out;
}

describe('DevicePipeline', () => {
  it('turns 100 Hz frames into one prediction per hop of the 50 Hz grid, with truth and arrival times', async () => {
    const { pipeline, predictions, invalid } = run();
    const fs = frames(1000, 40, { label: (i) => (i < 500 ? 'walking' : 'sitting') }); // 10 s
    fs.forEach((f, k) => pipeline.push(f, 1000 + k));
    await pipeline.close();
    expect(invalid).toEqual([]);
    const grid = resampleSeries({ t: fs.flatMap((f) => f.t as number[]), x: new Float32Array(1000), y: new Float32Array(1000), z: new Float32Array(1000) }, 50);
    const expected = Math.floor((grid.t.length - 128) / 64) + 1;
    expect(predictions).toHaveLength(expected);
    expect(predictions[0]!.endT).toBe(127 * 20);
    expect(predictions.map((p) => p.probs[0])).toEqual(predictions.map(() => expect.closeTo(0.25, 5)));
    // Truth: the majority label if it covers >= 90% of the window's 128 samples.
    for (const p of predictions) {
      const times = Array.from({ length: 128 }, (_, j) => p.endT - (127 - j) * 20);
      const walking = times.filter((t) => t < 5000).length;
      const expectedTruth = walking >= 0.9 * 128 ? 'walking' : 128 - walking >= 0.9 * 128 ? 'sitting' : undefined;
      expect(p.truth).toBe(expectedTruth);
    }
    expect(predictions.filter((p) => p.truth === undefined).length).toBeGreaterThan(0);
    // The arrival time is that of the frame holding the window's last sample (40 samples = 400 ms per frame).
    expect(predictions[0]!.receivedAt).toBe(1000 + Math.floor((127 * 20) / 400));
  });

  it('converts m/s2 to g before the model sees the window', async () => {
    const { pipeline, predictions } = run({ units: 'm/s2' });
    for (const f of frames(300, 50, { x: () => 0.5 * STANDARD_GRAVITY })) pipeline.push(f, 0);
    await pipeline.close();
    expect(predictions[0]!.probs[0]).toBeCloseTo(0.5, 5);
  });

  it('reorders frames that arrive out of order (the same predictions as in order)', async () => {
    const inOrder = run();
    const shuffled = run();
    const fs = frames(800, 20, { x: (i) => (i % 200) / 200 });
    fs.forEach((f) => inOrder.pipeline.push(f, 0));
    // Swap neighbours: 1,0,3,2,...
    for (let k = 0; k < fs.length; k += 2) {
      if (fs[k + 1]) shuffled.pipeline.push(fs[k + 1], 0);
      shuffled.pipeline.push(fs[k], 0);
    }
    await Promise.all([inOrder.pipeline.close(), shuffled.pipeline.close()]);
    expect(shuffled.predictions).toHaveLength(5); // 8 s -> 400 grid samples -> 5 windows
    expect(shuffled.predictions.map((p) => [p.endT, p.probs[0]])).toEqual(inOrder.predictions.map((p) => [p.endT, p.probs[0]]));
  });

  it('restarts windows after a pause: no window spans the gap', async () => {
    const { pipeline, predictions } = run();
    for (const f of frames(300, 50)) pipeline.push(f, 0); // 0..2990 ms
    for (const f of frames(300, 50, { t0: 10_000, firstSeq: 6 })) pipeline.push(f, 0);
    await pipeline.close();
    // 3 s at 50 Hz = 150 samples -> 1 window per segment.
    expect(predictions.map((p) => [p.endT, p.restart])).toEqual([
      [127 * 20, true],
      [10_000 + 127 * 20, true],
    ]);
  });

  it('reports invalid frames and keeps going; their seq is given up', async () => {
    const { pipeline, predictions, invalid } = run({ pipeline: { ...DEFAULT_CONFIG.pipeline, reorderWaitMs: 10, smoothing: { kind: 'none' } } });
    const fs = frames(1000, 20); // 10 s in 200 ms frames: losing one leaves a gap shorter than maxGapMs
    fs[2] = { ...fs[2], x: [NaN] };
    fs.forEach((f) => pipeline.push(f, 0));
    await pipeline.close();
    expect(invalid).toEqual([expect.objectContaining({ code: 'invalid', seq: 2 })]);
    expect(predictions).toHaveLength(Math.floor((500 - 128) / 64) + 1);
  });

  it('sends a downsampled signal in g for dashboards', async () => {
    const { pipeline, signal } = run({ units: 'm/s2' });
    for (const f of frames(200, 50, { x: () => STANDARD_GRAVITY })) pipeline.push(f, 0);
    await pipeline.close();
    const t = signal.flatMap((s) => s.t);
    expect(t).toEqual(Array.from({ length: 20 }, (_, i) => i * 100));
    expect(new Set(signal.flatMap((s) => s.x))).toEqual(new Set([1]));
  });

  it('skips the signal branch while no dashboard watches, and resumes when one does', async () => {
    let watched = false;
    const { pipeline, signal, predictions } = run({ signal: { hz: 10, intervalMs: 20, wanted: () => watched } });
    const fs = frames(400, 50); // 4 s in 8 frames of 0.5 s
    fs.slice(0, 4).forEach((f) => pipeline.push(f, 0));
    watched = true;
    fs.slice(4).forEach((f) => pipeline.push(f, 0));
    await pipeline.close();
    // Only the frames pushed while watched (t >= 2000 ms) reach dashboards; predictions never depend on it.
    expect(signal.flatMap((s) => s.t)).toEqual(Array.from({ length: 20 }, (_, i) => 2000 + i * 100));
    expect(predictions).toHaveLength(Math.floor((200 - 128) / 64) + 1);
  });
});
