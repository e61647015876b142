import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { LstmStepper } from '../../models/lm/lstm-step.js';
import { buildLanguageModel } from '../../models/lm/model.js';
import { TextSession, type StepOne } from '../../models/lm/text-session.js';
import { WordTokenizer } from '../../models/lm/tokenizer.js';
import { SessionAdaptation } from '../../models/lm/session-adaptation.js';
import { DEFAULT_WRITER_MIX, type WriterMix } from '../../models/lm/adapted-distribution.js';
import { AdaptedScoring } from '../../models/lm/adapted-scoring.js';
import { PrefixIndex } from '../../models/lm/word-completion.js';
import { NeuralCache } from '../../models/lm/neural-cache.js';

const CORPUS = 'the cat sat on the mat. the dog sat on the log, and the cat ran. a cat and a dog ran to the mat! she met him there, and they ran.';
/** Only the neural cache adapts, at full weight as soon as it holds a context. */
const NEURAL_ONLY: WriterMix = { ...DEFAULT_WRITER_MIX, unigram: 0, bigram: 0, trigram: 0, neural: 0.9, neuralConfidence: 0, neuralTheta: 50 };

/** A deterministic unit vector per seed (so "the same context" means the same vector). */
function unitVector(seed: number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let x = seed * 2654435761 + 1;
  let norm = 0;
  for (let j = 0; j < dim; j++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    v[j] = x / 2147483648 - 0.5;
    norm += v[j]! * v[j]!;
  }
  return v.map((a) => a / Math.sqrt(norm));
}

describe('neural cache', () => {
  let tok: WordTokenizer;
  beforeAll(async () => {
    await initBackend('wasm');
    tok = WordTokenizer.fromText(CORPUS, 40);
  });

  it('is bounded, pops the newest entry, clears, and shares its weight by similarity', () => {
    const c = new NeuralCache(8, 5);
    for (let i = 0; i < 12; i++) c.push(unitVector(i, 8), i);
    expect(c.size).toBe(5);
    expect(c.usable).toBe(5);
    c.push(undefined, 3); // no vector: held for pops, never matched
    expect([c.size, c.usable]).toEqual([5, 4]);
    const out = new Float64Array(16);
    const n = c.addTo(out, unitVector(10, 8), 50, 0.5);
    expect(n).toBe(4);
    // Only keys 8-11 are left (0-7 left the window; the vector-less entry pushed out 7).
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 9);
    expect(Array.from(out.subarray(0, 8)).every((p) => p === 0)).toBe(true);
    expect(out[10]!).toBeGreaterThan(0.45);
    c.pop();
    c.pop();
    expect([c.size, c.usable]).toEqual([3, 3]);
    // theta 0: every entry counts the same.
    const flat = new Float64Array(16);
    c.addTo(flat, unitVector(1, 8), 0, 1);
    for (const k of [8, 9, 10]) expect(flat[k]!).toBeCloseTo(1 / 3, 9);
    c.clear();
    expect([c.size, c.usable, c.addTo(new Float64Array(16), unitVector(1, 8), 1, 1)]).toEqual([0, 0, 0]);
  });

  it('grows its buffers as it fills and matches a plain list of the newest entries through pushes, pops and evictions', () => {
    const dim = 6;
    const c = new NeuralCache(dim, 100);
    const reference: { v: Float32Array; key: number }[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let step = 0; step < 600; step++) {
      if (rand() < 0.2 && reference.length > 0) {
        c.pop();
        reference.pop();
      } else {
        const v = unitVector(step, dim);
        const key = Math.floor(rand() * 20);
        c.push(v, key);
        reference.push({ v, key });
        if (reference.length > 100) reference.shift();
      }
      if (step % 37 !== 0) continue;
      const query = unitVector(1000 + step, dim);
      const got = new Float64Array(20);
      c.addTo(got, query, 3, 1);
      const want = new Float64Array(20);
      let total = 0;
      for (const e of reference) total += Math.exp(3 * e.v.reduce((acc, x, j) => acc + x * query[j]!, 0));
      for (const e of reference) want[e.key]! += Math.exp(3 * e.v.reduce((acc, x, j) => acc + x * query[j]!, 0)) / total;
      expect(c.size).toBe(reference.length);
      for (let k = 0; k < 20; k++) expect(got[k]!).toBeCloseTo(want[k]!, 5);
    }
    expect(c.size).toBe(100);
  });

  it('eval --adapt: a token reaches the cache only after it was scored, and the text before a stream only from earlier positions', () => {
    const dim = 16;
    const V = tok.size;
    const probs = new Float32Array(V).fill(1 / V);
    const index = PrefixIndex.for(tok);
    const words = tok.vocab.filter((w) => /^[a-z]+$/.test(w)).slice(0, 7);
    // A text where each word follows from the one before: a cache of contexts can learn it.
    const tokens = Array.from({ length: 300 }, (_, i) => words[i % 7]!);
    const text = tokens.join(' ');
    expect(tok.split(text)).toEqual(tokens);
    const score = (vectorOf: (pos: number) => Float32Array) => {
      const asked: number[] = [];
      const scoring = new AdaptedScoring(tok, index, text, tokens, {
        maxTokens: 1000,
        mix: NEURAL_ONLY,
        neuralCache: { window: 100, dim, vectorAt: (i) => (asked.push(i), vectorOf(i)) },
      });
      // Two streams: 0 covers [0, 150), 1 covers [150, 300); each first position is not predicted.
      for (let t = 1; t < 150; t++) {
        scoring.visit(t, probs, { index: 0, start: 0 }, false, vectorOf(t));
        scoring.visit(150 + t, probs, { index: 1, start: 150 }, false, vectorOf(150 + t));
      }
      return { report: scoring.report(), asked };
    };
    // Every position its own vector: the query matches only its own pair, which must not be in the
    // cache yet (a leak would make top-1 ~1; without one the best match is an unrelated earlier pair).
    const own = score((pos) => unitVector(pos, dim));
    expect(own.report.top1).toBeLessThan(0.4);
    // The text before stream 1 came from the first pass: positions before its first prediction (151) only.
    expect(Math.max(...own.asked)).toBeLessThan(151);
    expect(own.asked.length).toBe(101); // stream 0 asks for position 0, stream 1 for 51-150
    // Positive control: a context vector of the previous word (what an LSTM's h would carry) predicts the text.
    const context = score((pos) => unitVector(words.indexOf(tokens[pos - 1]!), dim));
    expect(context.report.top1).toBeGreaterThan(0.8);
  });

  it('sessions: the cache holds exactly the committed tokens before the cursor, is bounded by the window, forget clears it, and leaks no tensors', async () => {
    const model = buildLanguageModel({ vocabSize: tok.size, embedDim: 6, units: [12], projection: 4, dropout: 0 }, 3);
    const stepper = LstmStepper.fromModel(model);
    const step: StepOne = async (token, state) => stepper.step([token], state);
    const session = async (maxTokens: number) => {
      const s = await TextSession.create(tok, step, stepper.zeroState());
      s.adaptation = new SessionAdaptation(tok, tok.split('she met him there.'), maxTokens, { ...DEFAULT_WRITER_MIX, neural: 0.3 }, stepper.featureSize);
      return s;
    };
    const s = await session(1000);
    const cache = s.adaptation!.neuralCache!;
    expect(cache.dim).toBe(12);
    await s.edit({ insert: 'the cat sat on the mat. zorblax ran to zorblax and zorblax sat. the d' });
    await s.suggest(3);
    // The history has no vectors: the cache starts from the session's text (the open word 'd' excluded).
    expect(cache.size).toBe(s.committedTokens.length);
    expect(cache.usable).toBe(s.committedTokens.length);
    // A moved cursor: the suggestions are those of a writer who typed only the text before it.
    await s.edit({ reset: true, insert: 'the cat sat on the mat. ' });
    const fresh = await session(1000);
    await fresh.edit({ insert: 'the cat sat on the mat. ' });
    expect(await s.suggest(5)).toEqual(await fresh.suggest(5));
    expect(cache.size).toBe(s.committedTokens.length);
    s.adaptation!.forget(s.committedTokens.length);
    expect(cache.size).toBe(0);
    await s.edit({ insert: 'a dog ran. ' });
    await s.suggest(3);
    expect(cache.size).toBe(4);

    const small = await session(30);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      await small.edit({ insert: 'the cat sat on the mat, and the dog ran. ' });
      await small.suggest(3);
    }
    expect(small.committedTokens.length).toBeGreaterThan(100);
    expect(small.adaptation!.neuralCache!.size).toBe(30);
    expect(tf.memory().numTensors).toBe(tensors);
    stepper.dispose();
    model.dispose();
  });

  it("the feature vector is the top LSTM layer's output h, batched row by row", async () => {
    const model = buildLanguageModel({ vocabSize: tok.size, embedDim: 6, units: [10, 12], projection: 5, dropout: 0 }, 4);
    model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.4, 'float32', 200 + i)))));
    const stepper = LstmStepper.fromModel(model);
    expect(stepper.featureSize).toBe(12);
    const S = stepper.stateSize;
    const batched = await stepper.step([3, 7], new Float32Array(2 * S));
    for (let i = 0; i < 2; i++) {
      const alone = await stepper.step([[3, 7][i]!], stepper.zeroState());
      // State layout: h, c of layer 1 (10 + 10), then h, c of layer 2: h2 starts at 20.
      expect(Array.from(alone.features!)).toEqual(Array.from(alone.states.subarray(20, 32)));
      const row = batched.features!.subarray(i * 12, (i + 1) * 12);
      for (let j = 0; j < 12; j++) expect(Math.abs(row[j]! - alone.features![j]!)).toBeLessThan(1e-5);
    }
    expect(batched.features!.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    stepper.dispose();
    model.dispose();
  });
});
