import { describe, expect, it } from 'vitest';
import { KneserNeyModel } from '../../models/lm/ngram.js';
import { NextTokenMetrics, topK } from '../../models/lm/metrics.js';
import { createRandom } from '../../lib/random.js';

function corpus(n: number, V: number, seed: number): number[] {
  // A Markov chain with strong but not deterministic structure.
  const rng = createRandom(seed);
  const ids = [1];
  for (let i = 1; i < n; i++) {
    const prev = ids[i - 1]!;
    ids.push(rng.next() < 0.7 ? (prev * 3 + 1) % V : 1 + Math.floor(rng.next() * (V - 1)));
  }
  return ids;
}

describe('Kneser-Ney baseline', () => {
  it('gives proper distributions for seen and unseen histories', () => {
    const V = 30;
    const m = KneserNeyModel.train(corpus(5000, V, 1), V, 3);
    for (const h of [[], [5], [5, 16], [0, 0], [29, 28]]) {
      const p = m.distribution(h);
      const sum = p.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 9);
      expect(Math.min(...p)).toBeGreaterThan(0);
    }
  });

  it('learns the structure: beats the unigram on held-out text and ranks the likely successor first', () => {
    const V = 30;
    const train = corpus(20000, V, 2);
    const test = corpus(3000, V, 3);
    const tri = KneserNeyModel.train(train, V, 3);
    const uni = KneserNeyModel.train(train, V, 1);
    const a = new NextTokenMetrics();
    const b = new NextTokenMetrics();
    for (let i = 2; i < test.length; i++) {
      a.add(tri.distribution(test.slice(i - 2, i)), test[i]!);
      b.add(uni.distribution([]), test[i]!);
    }
    expect(a.report().crossEntropy).toBeLessThan(b.report().crossEntropy - 0.5);
    expect(a.report().top1).toBeGreaterThan(0.6);
    expect(topK(tri.distribution([4, 7]), 1)).toEqual([(7 * 3 + 1) % V]);
  });

  it('topK skips <unk> and orders by probability', () => {
    expect(topK([0.9, 0.05, 0.02, 0.03], 3)).toEqual([1, 3, 2]);
    expect(topK([0.1, 0.2, 0.7], 5)).toEqual([2, 1]);
  });
});
