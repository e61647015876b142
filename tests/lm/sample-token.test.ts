// sampleToken picks its top k without sorting the whole vocabulary (it runs for every generated
// token on the server's event loop): the same token as the plain definition below, for any
// probabilities (ties, zeros, <unk>), k, temperature and draw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawRows, sampleToken } from '../../models/lm/sample-token.js';
import { UNK_ID } from '../../models/lm/tokenizer.js';

/** The definition: candidates by id, sorted by probability (stable) and cut to k, then weighted. */
function sampleTokenByDefinition(probs: ArrayLike<number>, opts: { temperature: number; topK: number }, u: number): number {
  let ids = Array.from({ length: probs.length }, (_, i) => i).filter((i) => i !== UNK_ID && probs[i]! > 0);
  if (ids.length === 0) return UNK_ID;
  if (opts.topK > 0 && ids.length > opts.topK) ids = ids.sort((a, b) => probs[b]! - probs[a]!).slice(0, opts.topK);
  const maxLog = Math.max(...ids.map((i) => Math.log(probs[i]!)));
  const weights = ids.map((i) => Math.exp((Math.log(probs[i]!) - maxLog) / opts.temperature));
  let r = u * weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < ids.length; j++) if ((r -= weights[j]!) <= 0) return ids[j]!;
  return ids[ids.length - 1]!;
}

describe('sampleToken', () => {
  it('draws what the definition draws', () => {
    // Few distinct values, so that ties (also at the k-th place) are common.
    const probs = fc.array(fc.oneof(fc.constantFrom(0, 0.1, 0.25, 0.5), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 0, maxLength: 40 });
    fc.assert(
      fc.property(probs, fc.integer({ min: 0, max: 45 }), fc.double({ min: 0.05, max: 3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (p, topK, temperature, u) => {
        const f32 = Float32Array.from(p);
        expect(sampleToken(f32, { temperature, topK }, u)).toBe(sampleTokenByDefinition(f32, { temperature, topK }, u));
      }),
      { numRuns: 2000 },
    );
  });

  it('draws for the rows of a batch that ask, each from its own row, and -1 for the others', () => {
    const V = 7;
    const probs = Float32Array.from({ length: 3 * V }, (_, i) => ((i * 37) % 11) / 11);
    const draws = [{ temperature: 1, topK: 0, u: 0.3 }, null, { temperature: 0.5, topK: 2, u: 0.9 }];
    const drawn = drawRows(probs, V, draws);
    expect(Array.from(drawn)).toEqual([sampleToken(probs.subarray(0, V), draws[0]!, 0.3), -1, sampleToken(probs.subarray(2 * V), draws[2]!, 0.9)]);
    // Each row draws from itself: the last row's draw is a token that is among its own top 2.
    const last = Array.from(probs.subarray(2 * V))
      .map((p, id) => ({ p, id }))
      .filter((x) => x.id !== UNK_ID);
    last.sort((a, b) => b.p - a.p || a.id - b.id);
    expect(last.slice(0, 2).map((x) => x.id)).toContain(drawn[2]);
  });
});
