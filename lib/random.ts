// Seeded pseudo-random numbers (mulberry32: tiny and fast; not for cryptography), the one
// generator of the project: simulated fleets, benchmarks' attackers, training data order,
// augmentation and sampling all reproduce from one seed.
//
// What each method draws is pinned by tests/lib/random.test.ts: committed models were trained on
// these streams, so a change here changes what a `--seed` reproduces.

/** Anything indexable that can be shuffled in place: arrays and typed arrays. */
export interface MutableList<T> {
  length: number;
  [index: number]: T;
}

export interface RandomOptions {
  /**
   * What gaussian() does with the second normal of a Box-Muller pair:
   * - 'keep' (default): returns it on the next call (two uniforms per two normals);
   * - 'drop': throws it away (two uniforms per normal) — the stream HAR training and its
   *   committed models were made with.
   */
  spareGaussian?: 'keep' | 'drop';
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** An integer in [0, n). */
  below(n: number): number;
  /** An integer in [lo, hiInclusive]. */
  int(lo: number, hiInclusive: number): number;
  /** Standard normal (Box-Muller); see RandomOptions.spareGaussian. */
  gaussian(): number;
  pick<T>(items: readonly T[]): T;
  /** Fisher-Yates shuffle in place; returns `items`. */
  shuffle<L extends MutableList<unknown>>(items: L): L;
  /** 0..n-1 in a random order. */
  shuffledIndices(n: number): Int32Array;
  /** A generator of its own, seeded from this one's next draw (e.g. one per simulated typist). */
  fork(options?: RandomOptions): Random;
}

export function createRandom(seed: number, options: RandomOptions = {}): Random {
  let state = seed >>> 0;
  let spare: number | undefined;
  const keepSpare = (options.spareGaussian ?? 'keep') === 'keep';
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let r = Math.imul(state ^ (state >>> 15), 1 | state);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: number): number => Math.floor(next() * n);
  const shuffle = <L extends MutableList<unknown>>(items: L): L => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = below(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  };
  return {
    next,
    below,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + below(hi - lo + 1),
    gaussian: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      const u = Math.max(next(), 1e-12);
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      if (keepSpare) spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    pick: (items) => items[below(items.length)]!,
    shuffle,
    shuffledIndices: (n) => shuffle(Int32Array.from({ length: n }, (_, i) => i)),
    fork: (forkOptions) => createRandom(Math.floor(next() * 2 ** 32), forkOptions ?? options),
  };
}

/** A seed for the i-th thing derived from a run seed (weight initialisers, noise streams, epochs…). */
export function deriveSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}
