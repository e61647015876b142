// The server's batched LSTM step hands each session its own row of the step: probabilities,
// state and the feature vector the writer's neural cache is built from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { StepBatcher } from '../../server/text/step-batcher.js';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { tinyLm } from './tiny-lm.js';
import { generateTokens } from '../../models/lm/generate.js';
import type { StepOne } from '../../models/lm/text-session.js';

let lm: LoadedLm;

describe('step batcher', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    lm = await tinyLm('word');
  });
  afterAll(() => {
    lm.stepper.dispose();
    lm.model.dispose();
  });

  it('gives each session its own row of a batched step, feature vector included, and leaks no tensors', async () => {
    const batcher = new StepBatcher(lm.stepper, { maxBatch: 8, maxDelayMs: 5, maxQueue: 64 });
    const tokens = [3, 17, 42];
    const tensors = tf.memory().numTensors;
    const outs = await Promise.all(tokens.map((t) => batcher.step(t, lm.stepper.zeroState())));
    expect(batcher.stats().batches).toBeLessThan(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const alone = await lm.stepper.step([tokens[i]!], lm.stepper.zeroState());
      const got = outs[i]!;
      expect(got.features).toHaveLength(lm.stepper.featureSize);
      for (let j = 0; j < lm.stepper.featureSize; j++) expect(Math.abs(got.features![j]! - alone.features![j]!)).toBeLessThan(1e-5);
      for (let j = 0; j < got.probs.length; j += 97) expect(Math.abs(got.probs[j]! - alone.probs[j]!)).toBeLessThan(1e-5);
    }
    expect(new Set(outs.map((o) => o.features![0])).size).toBe(tokens.length);
    expect(tf.memory().numTensors).toBe(tensors);
    await batcher.close();
  });

  it('generates the same text when the model draws the tokens as when they are drawn from its probabilities here', async () => {
    const batcher = new StepBatcher(lm.stepper, { maxBatch: 8, maxDelayMs: 2, maxQueue: 64 });
    const opts = { temperature: 0.9, topK: 0, maxTokens: 25, seed: 11 };
    const drawnHere: number[] = [];
    const probsOnly: StepOne = async (token, state) => {
      const out = await batcher.step(token, state); // no draw asked: probabilities back
      expect(out.drawn).toBeUndefined();
      drawnHere.push(out.probs.length);
      return out;
    };
    const rowsDrawnByModel: number[] = [];
    const drawing: StepOne = async (token, state, draw) => {
      const out = await batcher.step(token, state, draw);
      if (draw) rowsDrawnByModel.push(out.probs.length);
      return out;
    };
    const collect = async (step: StepOne) => {
      const ids: number[] = [];
      for await (const t of generateTokens(step, lm.tokenizer, lm.stepper.zeroState(), 'the whale', opts)) ids.push(t.id);
      return ids;
    };
    const [byModel, local] = await Promise.all([collect(drawing), collect(probsOnly)]);
    expect(byModel).toHaveLength(opts.maxTokens);
    expect(byModel).toEqual(local);
    // The drawing steps carried no probabilities; the others carried a whole vocabulary each.
    expect(rowsDrawnByModel).toHaveLength(opts.maxTokens);
    expect(rowsDrawnByModel.every((n) => n === 0)).toBe(true);
    expect(drawnHere.every((n) => n === lm.stepper.vocabSize)).toBe(true);
    await batcher.close();
  });
});
