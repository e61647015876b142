// The HAR model in a worker thread must answer exactly what the same model answers in this
// thread, return every window in order, leak no tensors in the worker, and fail clearly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarClassifier } from '../../models/har/classifier.js';
import { initBackend } from '../../models/runtime/backend.js';
import { WorkerClassifier } from '../../server/inference/worker-classifier.js';

/** n random windows in g, with gravity on a random axis (like a phone lying somewhere). */
function windows(n: number, seed: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const out = new Float32Array(n * 128 * 3);
  for (let i = 0; i < out.length; i++) out[i] = (i % 3 === ((i / 384) % 3) >> 0 ? 1 : 0) + 0.3 * rand();
  return out;
}

let worker: WorkerClassifier | undefined;
let local: HarClassifier | undefined;
beforeAll(async () => {
  await initBackend('wasm');
  const [started, trained] = await Promise.all([WorkerClassifier.start({ backend: 'wasm', harModel: 'trained' }), HarClassifier.load()]);
  expect(started.unavailable).toBeUndefined();
  expect(started.status.trained).toBe(true);
  worker = started.classifier;
  local = trained;
});
afterAll(async () => {
  await worker?.dispose();
  local?.dispose();
});

describe('inference worker', () => {
  it('gives the same probabilities as the model in this thread', async () => {
    expect([...worker!.classes]).toEqual([...local!.classes]);
    for (const n of [1, 7, 64]) {
      const w = windows(n, n);
      const remote = await worker!.predict(w, n);
      const here = local!.predict(w, n);
      expect(remote.length).toBe(n * local!.classes.length);
      for (let i = 0; i < here.length; i++) expect(remote[i]).toBeCloseTo(here[i]!, 5);
    }
  });

  it('answers overlapping batches in order and keeps the caller’s buffer intact', async () => {
    const batches = [3, 1, 5, 2].map((n, k) => ({ n, w: windows(n, 100 + k) }));
    const copies = batches.map((b) => b.w.slice());
    const results = await Promise.all(batches.map((b) => worker!.predict(b.w, b.n)));
    batches.forEach((b, k) => {
      expect(b.w).toEqual(copies[k]); // transferred a copy, not the caller's array
      const here = local!.predict(b.w, b.n);
      for (let i = 0; i < here.length; i++) expect(results[k]![i]).toBeCloseTo(here[i]!, 5);
    });
  });

  it('leaks no tensors in the worker over many batches', async () => {
    await worker!.predict(windows(4, 1), 4);
    const before = await worker!.memory();
    await Promise.all(Array.from({ length: 50 }, (_, k) => worker!.predict(windows(8, k), 8)));
    expect((await worker!.memory()).numTensors).toBe(before.numTensors);
  });

  it('rejects a batch of the wrong size with the reason', async () => {
    await expect(worker!.predict(new Float32Array(100), 1)).rejects.toThrow(/expected 1 windows x 128 samples x 3 axes = 384 values, got 100/);
  });

  it('replaces a worker that dies: its batches fail, later ones are answered by a new worker', async () => {
    const events: string[] = [];
    const c = (await WorkerClassifier.start({ backend: 'wasm', harModel: 'untrained' }, (m) => events.push(m))).classifier;
    try {
      const w = windows(3, 9);
      const before = await c.predict(w, 3);
      // Kill the thread the way a crash would (no dispose message), while it works on a big batch.
      const inFlight = c.predict(windows(512, 3), 512);
      await (c as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await expect(inFlight).rejects.toThrow(/inference worker exited.*restarting it/);
      const deadline = Date.now() + 30_000;
      while (c.restarts === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(c.restarts).toBe(1);
      expect(events).toEqual([expect.stringMatching(/exited .*restarting it/), 'a new inference worker took over']);
      expect(await c.predict(w, 3)).toEqual(before); // same model (same seed), same answers
    } finally {
      await c.dispose();
    }
  });

  it('after dispose, rejects new batches instead of hanging', async () => {
    const spare = (await WorkerClassifier.start({ backend: 'wasm', harModel: 'untrained' })).classifier;
    const inFlight = spare.predict(windows(2, 5), 2);
    await spare.dispose();
    await inFlight.catch(() => undefined); // answered or rejected, never left pending
    await expect(spare.predict(windows(1, 1), 1)).rejects.toThrow(/inference worker was stopped/);
  });
});
