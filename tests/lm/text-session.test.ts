import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { LstmStepper } from '../../models/lm/lstm-step.js';
import { buildLanguageModel } from '../../models/lm/model.js';
import { ContextTooLongError, startToken, TextSession, type StepOne } from '../../models/lm/text-session.js';
import { CharTokenizer, WordTokenizer, type Tokenizer } from '../../models/lm/tokenizer.js';
import { maxAbsDiff } from '../helpers/max-abs-diff.js';

const CORPUS = 'the cat sat on the mat. the dog sat on the log, and the cat ran. a cat and a dog ran to the mat!';

function setup(tokenizer: Tokenizer, seed: number) {
  const model = buildLanguageModel({ vocabSize: tokenizer.size, embedDim: 6, units: [12], projection: 0, dropout: 0 }, seed);
  model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.5, 'float32', seed + i)))));
  const stepper = LstmStepper.fromModel(model);
  let steps = 0;
  const step: StepOne = async (token, state) => {
    steps++;
    return stepper.step([token], state);
  };
  return { model, stepper, step, steps: () => steps };
}

function fullContextLast(model: tf.LayersModel, ids: number[]): Float32Array {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor2d([ids], [1, ids.length], 'int32')) as tf.Tensor3D;
    return out.slice([0, ids.length - 1, 0], [1, 1, -1]).dataSync() as Float32Array;
  });
}

describe('text sessions', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('word model: typing, backspaces and resets leave the same state as typing the final text at once', async () => {
    const tok = WordTokenizer.fromText(CORPUS, 40);
    const { model, stepper, step } = setup(tok, 11);
    const s = await TextSession.create(tok, step, stepper.zeroState());
    for (const ch of 'the cat sat on th') await s.edit({ insert: ch });
    await s.edit({ delete: 9 }); // back to "the cat "
    await s.edit({ insert: 'ran to the dog, a' });
    await s.edit({ delete: 3 });
    await s.edit({ insert: ' mat' });
    expect(s.currentText).toBe('the cat ran to the dog mat');
    const fresh = await TextSession.create(tok, step, stepper.zeroState());
    await fresh.edit({ insert: s.currentText });
    expect(s.committedIds).toEqual(fresh.committedIds);
    expect(s.committedIds).toEqual(tok.encode('the cat ran to the dog'));
    expect(maxAbsDiff(s.nextTokenProbs, fresh.nextTokenProbs)).toBeLessThan(1e-5);
    const full = fullContextLast(model, [startToken(tok), ...s.committedIds]);
    expect(maxAbsDiff(s.nextTokenProbs, full)).toBeLessThan(1e-4);
    const sug = await s.suggest(3);
    expect(sug.prefix).toBe('mat');
    expect(sug.completions.map((c) => c.word)).toEqual(['mat']);
    expect(sug.next).toHaveLength(3);
    expect(sug.next[0]!.p).toBeGreaterThanOrEqual(sug.next[1]!.p);
    stepper.dispose();
  });

  it('a deletion costs steps for the changed tokens only, even far back (checkpoints)', async () => {
    const tok = CharTokenizer.fromText(CORPUS);
    const { model, stepper, step, steps } = setup(tok, 21);
    const s = await TextSession.create(tok, step, stepper.zeroState(), { recentStates: 8, checkpointStride: 16 });
    const long = CORPUS.repeat(2);
    await s.edit({ insert: long });
    expect(s.storedStates).toBeLessThanOrEqual(8 + Math.ceil(long.length / 16) + 3);
    let before = steps();
    await s.edit({ delete: 1 });
    expect(steps() - before).toBe(1); // one recompute step for the distribution
    before = steps();
    await s.edit({ delete: 100 }); // beyond the recent states: from the nearest checkpoint
    expect(steps() - before).toBeLessThanOrEqual(16);
    const full = fullContextLast(model, [startToken(tok), ...tok.encode(long.slice(0, long.length - 101))]);
    expect(maxAbsDiff(s.nextTokenProbs, full)).toBeLessThan(1e-4);
    before = steps();
    await s.edit({ reset: true, insert: long.slice(0, 50) }); // cursor reset keeps the common prefix
    expect(steps() - before).toBeLessThanOrEqual(16);
    expect(steps() - before).toBeGreaterThan(0);
    stepper.dispose();
  });

  it('char model suggests completions that extend the typed prefix', async () => {
    const tok = CharTokenizer.fromText(CORPUS);
    const { stepper, step } = setup(tok, 31);
    const s = await TextSession.create(tok, step, stepper.zeroState());
    await s.edit({ insert: 'the ca' });
    const sug = await s.suggest(3);
    expect(sug.prefix).toBe('ca');
    expect(sug.completions.length).toBeGreaterThan(0);
    for (const c of sug.completions) {
      expect(c.word.startsWith('ca')).toBe(true);
      expect(c.word.length).toBeGreaterThan(2);
      expect(c.p).toBeGreaterThan(0);
    }
    stepper.dispose();
  });

  it('bounds the text and holds no tensors over a long session of edits', async () => {
    const tok = WordTokenizer.fromText(CORPUS, 40);
    const { stepper, step } = setup(tok, 41);
    const s = await TextSession.create(tok, step, stepper.zeroState(), { maxChars: 200 });
    await s.edit({ insert: 'the cat' });
    await s.suggest(3);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 300; i++) {
      await s.edit(i % 5 === 4 ? { delete: 3 } : { insert: ['the ', 'cat ', 'sat', ', ', 'on '][i % 5] });
      if (s.currentText.length > 150) await s.edit({ reset: true });
      await s.suggest(3);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(s.edit({ insert: 'x'.repeat(201) })).rejects.toBeInstanceOf(ContextTooLongError);
    expect(s.currentText.length).toBeLessThanOrEqual(150);
    stepper.dispose();
  });
});
