import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/runtime/backend.js';
import { LstmStepper } from '../../models/lm/lstm-step.js';
import { buildLanguageModel } from '../../models/lm/model.js';
import { TextSession, type StepOne } from '../../models/lm/text-session.js';
import { WordTokenizer, type Tokenizer } from '../../models/lm/tokenizer.js';
import { SessionAdaptation } from '../../models/lm/session-adaptation.js';
import { WriterModel } from '../../models/lm/writer-model.js';
import { AdaptedDistribution } from '../../models/lm/adapted-distribution.js';
import { AdaptedScoring } from '../../models/lm/adapted-scoring.js';
import { PrefixIndex } from '../../models/lm/word-completion.js';

const CORPUS = 'the cat sat on the mat. the dog sat on the log, and the cat ran. a cat and a dog ran to the mat! she met him there, and they ran.';

function setup(tokenizer: Tokenizer) {
  const model = buildLanguageModel({ vocabSize: tokenizer.size, embedDim: 6, units: [12], projection: 0, dropout: 0 }, 3);
  const stepper = LstmStepper.fromModel(model);
  const step: StepOne = async (token, state) => stepper.step([token], state);
  return { stepper, step };
}

async function adaptedSession(tok: Tokenizer, history: string[] = []) {
  const { stepper, step } = setup(tok);
  const s = await TextSession.create(tok, step, stepper.zeroState());
  s.adaptation = new SessionAdaptation(tok, history, 1000);
  return s;
}

describe('writer adaptation', () => {
  let tok: WordTokenizer;
  beforeAll(async () => {
    await initBackend('wasm');
    tok = WordTokenizer.fromText(CORPUS, 40);
  });

  it('suggests a name outside the vocabulary on its third use, after two; never <unk>; the model alone cannot', async () => {
    const s = await adaptedSession(tok);
    const plain = await TextSession.create(tok, setup(tok).step, setup(tok).stepper.zeroState());
    const text = 'she met elizabeth there. the cat sat on the mat with elizabeth. then the dog ran to e';
    await s.edit({ insert: text });
    await plain.edit({ insert: text });
    const sug = await s.suggest(3);
    expect(sug.prefix).toBe('e');
    expect(sug.completions.map((c) => c.word)).toContain('elizabeth');
    expect(sug.completions.find((c) => c.word === 'elizabeth')).toMatchObject({ source: 'writer' });
    expect((await plain.suggest(3)).completions.map((c) => c.word)).not.toContain('elizabeth');
    for (const c of [...sug.completions, ...sug.next]) expect(c.word).not.toBe('<unk>');
    // Typed once only, before this session's text: nothing (the name was never committed).
    const once = await adaptedSession(tok);
    await once.edit({ insert: 'the cat ran to e' });
    expect((await once.suggest(3)).completions.map((c) => c.word)).not.toContain('elizabeth');
  });

  it('never counts text after the cursor: moving the cursor back gives the suggestions of a writer who only typed the text before it', async () => {
    const s = await adaptedSession(tok);
    await s.edit({ insert: 'the cat sat on the mat. zorblax ran to zorblax and zorblax sat. ' });
    expect((await s.suggest(3)).completions.map((c) => c.word)).toContain('zorblax');
    // The cursor moves back: the client sends the text before it.
    await s.edit({ reset: true, insert: 'the cat sat on the mat. ' });
    const fresh = await adaptedSession(tok);
    await fresh.edit({ insert: 'the cat sat on the mat. ' });
    const a = await s.suggest(5);
    const b = await fresh.suggest(5);
    expect(a.completions.map((c) => c.word)).not.toContain('zorblax');
    expect(a).toEqual(b);
    // The word being typed is not learned either: only committed tokens count.
    await fresh.edit({ insert: 'qwertyuiop' });
    expect(fresh.adaptation!.writer.keyOf('qwertyuiop')).toBe(-1);
  });

  it('eval --adapt scoring: a position is scored the same whatever text follows it', () => {
    const V = tok.size;
    const probs = new Float32Array(V).map((_, i) => (i + 1) / ((V * (V + 1)) / 2));
    const index = PrefixIndex.for(tok);
    const head = 'the cat sat on the mat. she met him there, and the dog ran to the log. ';
    const futures = ['zorblax zorblax the zorblax cat zorblax.', 'the mat the mat the mat the mat, the mat.'];
    const reports = futures.map((future) => {
      const text = head + future;
      const tokens = tok.split(text);
      const scoring = new AdaptedScoring(tok, index, text, tokens, { maxTokens: 1000 });
      const headTokens = tok.split(head).length;
      for (let pos = 1; pos < headTokens; pos++) scoring.visit(pos, probs, { index: 0, start: 0 }, false);
      return scoring.report();
    });
    expect(reports[0]).toEqual(reports[1]);
  });

  it('a writer model is bounded: the oldest tokens leave, words outside the vocabulary are recycled, counts match a fresh model of the window', () => {
    const w = new WriterModel(tok);
    const stream = Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? `name${i}` : ['the', 'cat', 'sat', ',', 'on'][i % 5]!));
    for (const t of stream) {
      w.push(t);
      w.trimTo(50);
    }
    expect(w.size).toBe(50);
    expect(w.totalCount).toBe(50);
    expect(w.oovSlots).toBeLessThan(20);
    const fresh = new WriterModel(tok);
    for (const t of stream.slice(-50)) fresh.push(t);
    expect(w.tokens()).toEqual(fresh.tokens());
    const context = ['cat', 'sat'];
    const lstm = new Float32Array(tok.size).fill(1 / tok.size);
    const a = new AdaptedDistribution().compute(lstm, w, context).complete('', 5);
    const b = new AdaptedDistribution().compute(lstm, fresh, context).complete('', 5);
    expect(a.map((s) => s.word)).toEqual(b.map((s) => s.word));
    // push then pop is the identity
    const before = w.tokens();
    w.push('zzz');
    w.push('the');
    w.pop();
    w.pop();
    expect(w.tokens()).toEqual(before);
    expect(w.keyOf('zzz')).toBe(-1);
  });

  it('the adapted distribution sums to one over the vocabulary (<unk> = all words outside it)', () => {
    const w = new WriterModel(tok);
    for (const t of tok.split('she met elizabeth there. elizabeth ran to the cat, and darcy sat.')) w.push(t);
    const lstm = tf.tidy(() => tf.softmax(tf.randomNormal([tok.size], 0, 2, 'float32', 5)).dataSync() as Float32Array);
    const d = new AdaptedDistribution().compute(lstm, w, ['darcy', 'sat']);
    let sum = 0;
    for (let i = 0; i < tok.size; i++) sum += d.ofId(i);
    expect(sum).toBeCloseTo(1, 6);
    expect(d.ofWord('elizabeth') + d.ofWord('darcy')).toBeCloseTo(d.ofId(0), 9);
  });

  it('forget clears the history and the text so far; what is typed after is learned', async () => {
    const s = await adaptedSession(tok, tok.split('she met zorblax there. zorblax ran.'));
    await s.edit({ insert: 'the cat met quux, and quux ran. the dog ' });
    const names = async (prefix: string) => {
      await s.edit({ insert: prefix });
      const r = (await s.suggest(3)).completions.map((c) => c.word);
      await s.edit({ delete: prefix.length });
      return r;
    };
    expect(await names('z')).toContain('zorblax');
    expect(await names('q')).toContain('quux');
    s.adaptation!.forget(s.committedTokens.length);
    expect(await names('z')).not.toContain('zorblax');
    expect(await names('q')).not.toContain('quux');
    await s.edit({ insert: 'saw blorp. and blorp sat. a ' });
    expect(await names('b')).toContain('blorp');
    expect(s.adaptation!.sessionTokens).not.toContain('quux');
  });
});
