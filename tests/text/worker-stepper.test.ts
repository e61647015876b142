// Models loaded by name run their LSTM steps in one worker thread: the same numbers as in this
// thread, no tensors left behind there, a bad step fails alone, and a dead worker is replaced.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveLm, type LoadedLm } from '../../models/lm/lm-store.js';
import { drawRows } from '../../models/lm/sample-token.js';
import { ModelNotFoundError } from '../../models/store/model-store.js';
import { initBackend } from '../../models/runtime/backend.js';
import { DEFAULT_TEXT_CONFIG } from '../../server/text/text-config.js';
import { TextService } from '../../server/text/text-service.js';
import { StepWorker, StepWorkerError, WorkerStepper } from '../../server/text/worker-stepper.js';
import { tinyLm } from './tiny-lm.js';
import { maxAbsDiff } from '../helpers/max-abs-diff.js';

let lm: LoadedLm;
let dir: string;

describe('worker stepper', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    lm = await tinyLm('word');
    dir = mkdtempSync(join(tmpdir(), 'sensorium-step-worker-'));
    await saveLm(join(dir, 'tiny-word'), lm.model, lm.tokenizer, { name: 'tiny-word', kind: 'lm-lstm' });
    const char = await tinyLm('char');
    await saveLm(join(dir, 'tiny-char'), char.model, char.tokenizer, { name: 'tiny-char', kind: 'lm-lstm' });
    char.stepper.dispose();
    char.model.dispose();
  });
  afterAll(() => {
    lm.stepper.dispose();
    lm.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("steps a batch as this thread's stepper does, leaves the caller's arrays usable and no tensors in the worker", async () => {
    const thread = new StepWorker({ backend: 'wasm' });
    const worker = await thread.load(join(dir, 'tiny-word'));
    try {
      expect([worker.vocabSize, worker.stateSize, worker.featureSize]).toEqual([lm.stepper.vocabSize, lm.stepper.stateSize, lm.stepper.featureSize]);
      const tokens = [3, 17, 42];
      let states: Float32Array = new Float32Array(tokens.length * worker.stateSize);
      let local: Float32Array = states.slice();
      const before = await thread.memory();
      // The worker measures its own thread: a V8 heap and a WASM memory of its own.
      expect(before.heapTotalBytes).toBeGreaterThan(1_000_000);
      expect(before.wasmBytes).toBeGreaterThan(0);
      for (let step = 0; step < 20; step++) {
        const [remote, here] = await Promise.all([worker.step(tokens, states), lm.stepper.step(tokens, local)]);
        expect(states.length).toBe(tokens.length * worker.stateSize); // not detached by the transfer
        expect(maxAbsDiff(remote.probs, here.probs)).toBeLessThan(1e-5);
        expect(maxAbsDiff(remote.states, here.states)).toBeLessThan(1e-5);
        expect(maxAbsDiff(remote.features!, here.features!)).toBeLessThan(1e-5);
        states = remote.states;
        local = here.states;
      }
      expect((await thread.memory()).numTensors).toBe(before.numTensors);
    } finally {
      await thread.dispose();
    }
  });

  it('draws the next token in the worker for the rows that ask, and sends no probabilities when every row drew', async () => {
    const thread = new StepWorker({ backend: 'wasm' });
    const worker = await thread.load(join(dir, 'tiny-word'));
    try {
      const tokens = [3, 17, 42];
      const states = new Float32Array(tokens.length * worker.stateSize);
      const here = await lm.stepper.step(tokens, states);
      const draws = [{ temperature: 0.8, topK: 0, u: 0.41 }, null, { temperature: 1.2, topK: 5, u: 0.77 }];
      const mixed = await worker.step(tokens, states, draws);
      expect(Array.from(mixed.drawnIds!)).toEqual(Array.from(drawRows(here.probs, worker.vocabSize, draws)));
      expect(mixed.probs).toHaveLength(tokens.length * worker.vocabSize); // one row still wants its probabilities
      const all = await worker.step(tokens, states, [draws[0]!, { temperature: 1, topK: 3, u: 0.05 }, draws[2]!]);
      expect(all.probs).toHaveLength(0);
      expect(Array.from(all.drawnIds!).every((t) => t > 0 && t < worker.vocabSize)).toBe(true);
      expect(maxAbsDiff(all.states, here.states)).toBeLessThan(1e-5);
    } finally {
      await thread.dispose();
    }
  });

  it('fails a bad step alone, and starts a new worker after one died', async () => {
    const host = new StepWorker({ backend: 'wasm' });
    const worker = await host.load(join(dir, 'tiny-word'));
    try {
      await expect(worker.step([worker.vocabSize + 5], worker.zeroState())).rejects.toThrow(/outside the vocabulary/);
      const good = await worker.step([3], worker.zeroState());
      // Kill the thread from outside, as a crash or an out-of-memory end would.
      const thread = (host as unknown as { worker: { terminate(): Promise<number> } }).worker;
      // A batch large enough to keep the worker busy for tens of milliseconds: a one-row step
      // could be answered before the terminate lands, and would then resolve.
      const rows = 8192;
      const inFlight = worker.step(new Array<number>(rows).fill(3), new Float32Array(rows * worker.stateSize));
      await thread.terminate();
      await expect(inFlight).rejects.toBeInstanceOf(StepWorkerError);
      const after = await worker.step([3], worker.zeroState());
      expect(host.restarts).toBe(1);
      expect(maxAbsDiff(after.probs, good.probs)).toBeLessThan(1e-6);
    } finally {
      await host.dispose();
    }
  });

  it('refuses a folder without a language model, with the reason', async () => {
    const host = new StepWorker({ backend: 'wasm' });
    await expect(host.load(join(dir, 'nothing-here'))).rejects.toThrow(/no model at/);
    // The worker lives on for the models that do load.
    expect((await host.load(join(dir, 'tiny-word'))).vocabSize).toBe(lm.tokenizer.size);
    await host.dispose();
  });

  it("serves models loaded by name from one worker thread: this thread's tensors stay as they were", async () => {
    const models = [join(dir, 'tiny-word'), join(dir, 'tiny-char')];
    const service = new TextService({ ...DEFAULT_TEXT_CONFIG, defaultModel: models[0]!, allowedModels: models }, [], { dir: join(dir, 'writers'), maxTokens: 100 }, 'wasm');
    const tensors = tf.memory().numTensors;
    try {
      const served = await service.model();
      expect(served.lm.stepper).toBeInstanceOf(WorkerStepper);
      expect(tf.memory().numTensors).toBe(tensors);
      const outs = await Promise.all([3, 17].map((t) => served.batcher.step(t, served.lm.stepper.zeroState())));
      expect(outs[0]!.probs).toHaveLength(lm.tokenizer.size);
      const char = await service.model(models[1]);
      expect((await char.batcher.step(1, char.lm.stepper.zeroState())).probs).toHaveLength(char.lm.tokenizer.size);
      expect(tf.memory().numTensors).toBe(tensors);
      // Both models in one thread: its tensors are both models' weights.
      expect((await service.stepWorker.memory()).numTensors).toBeGreaterThan(0);
      expect(service.stepWorker.restarts).toBe(0);
      await expect(service.model(join(dir, 'missing'))).rejects.toThrow();
    } finally {
      await service.close();
    }
    const missing = new TextService({ ...DEFAULT_TEXT_CONFIG, defaultModel: join(dir, 'missing'), allowedModels: [join(dir, 'missing')] }, [], { dir: join(dir, 'writers'), maxTokens: 100 }, 'wasm');
    await expect(missing.model()).rejects.toBeInstanceOf(ModelNotFoundError);
    await missing.close();
  });
});
