// Property test of the incremental re-tokenisation: whatever the edits, a session ends up with
// exactly the tokens, open word and state of a session given the final text at once. A fake
// step function (a rolling hash of the token ids) keeps it fast and makes any divergence visible.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TextSession, type StepOne } from '../../models/lm/text-session.js';
import { CharTokenizer, splitWordsWithSpacing, WordTokenizer, type Tokenizer } from '../../models/lm/tokenizer.js';

const V = 50;
const hashStep: StepOne = async (token, state) => {
  const next = new Float32Array(2);
  next[0] = (state[0]! * 31 + token + 1) % 1_000_003;
  next[1] = state[1]! + 1;
  const probs = new Float32Array(V);
  probs[next[0] % V] = 1;
  return { probs, states: next };
};

const ALPHABET = ['a', 'b', 'n', 'd', 'o', 't', "'", '-', ' ', ' ', '.', ',', 'É', '\n', '😀', '😁'];
const edit = fc.oneof(
  fc.record({ insert: fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 6 }).map((a) => a.join('')) }),
  fc.record({ delete: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ reset: fc.constant(true), insert: fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((a) => a.join('')) }),
);

async function check(tokenizer: Tokenizer, edits: { insert?: string; delete?: number; reset?: boolean }[]): Promise<void> {
  const s = await TextSession.create(tokenizer, hashStep, new Float32Array(2), { recentStates: 4, checkpointStride: 3 });
  for (const e of edits) await s.edit(e);
  const fresh = await TextSession.create(tokenizer, hashStep, new Float32Array(2));
  await fresh.edit({ insert: s.currentText });
  expect(s.committedIds).toEqual(fresh.committedIds);
  expect(Array.from(s.nextTokenProbs)).toEqual(Array.from(fresh.nextTokenProbs));
  // And against a plain full tokenisation of the final text.
  if (tokenizer.kind === 'word') {
    const { tokens } = splitWordsWithSpacing(s.currentText);
    const sug = await s.suggest(1);
    const committed = sug.prefix ? tokens.slice(0, -1) : tokens;
    expect(s.committedIds).toEqual(committed.map((t) => tokenizer.id(t)));
  } else {
    expect(s.committedIds).toEqual(tokenizer.encode(s.currentText));
  }
}

describe('incremental re-tokenisation', () => {
  const words = WordTokenizer.fromText("and don't do a-b not to tan ban. , ' - é", V);
  const chars = CharTokenizer.fromText(ALPHABET.join('') + 'é');

  it('word sessions match a fresh session after any edits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { maxLength: 25 }), (edits) => check(words, edits)),
      { numRuns: 300 },
    );
  });

  it('char sessions match a fresh session after any edits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { maxLength: 25 }), (edits) => check(chars, edits)),
      { numRuns: 300 },
    );
  });

  it("re-tokenises a word that an apostrophe joins (don ' -> don't)", async () => {
    const s = await TextSession.create(words, hashStep, new Float32Array(2));
    await s.edit({ insert: "don'" });
    expect(s.committedIds).toEqual([words.id('don'), words.id("'")]);
    await s.edit({ insert: 't ' });
    expect(s.committedIds).toEqual([words.id("don't")]);
  });
});
