// The one seeded generator (lib/random.ts) replaced three copies of mulberry32 with three APIs:
// simulators/random.ts (createRandom), models/har/rng.ts (createRng) and
// models/images/shared/random.ts (seededRandom, randomInt, shuffledIndices, deriveSeed).
// Committed models were trained on their streams, so the golden values below were computed by
// running the OLD copies (before they were deleted), and the new module must reproduce each
// call sequence exactly, as the callers of each copy now make it.
import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed } from '../../lib/random.js';

const times = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

/** Per seed: what each old copy returned for a fixed sequence of calls. */
const GOLDEN = {
  1: {
    sim: {
      next: [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741],
      uniform: [2.8418894910719246, -0.5944824852049351],
      gaussian: [-0.1808915033144518, -0.9729258756570718, 1.3060548291241842],
      int: [0, 0, -4],
      pick: ['c', 'b', 'a'],
      fork: [0.012246076483279467, 0.6217611401807517],
      after: 0.0673698834143579,
    },
    har: {
      next: [0.6270739405881613, 0.002735721180215478, 0.5274470399599522],
      uniform: [1.981050967471674, 1.968377898214385],
      gaussian: [-1.209220255820591, -0.7229104171824142, -0.09788992590276929],
      below: [3, 0, 2],
      shuffle: [4, 5, 6, 8, 7, 9, 0, 3, 1, 2],
      after: 0.42738195578567684,
    },
    images: {
      next: [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741],
      int: [3, -2, 1],
      shuffledIndices: [6, 5, 4, 1, 0, 2, 8, 9, 3, 7],
      after: 0.48914389545097947,
      deriveSeed: [4258643485, 3230166098, 2278440229],
    },
  },
  42: {
    sim: {
      next: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693],
      uniform: [-1.1259305062703788, 0.6329627109225839],
      gaussian: [-1.1408820709540242, -1.1372270998855114, -0.5294337937164153],
      int: [-3, 4, 3],
      pick: ['b', 'a', 'c'],
      fork: [0.7139796575065702, 0.7901844005100429],
      after: 0.6106208984274417,
    },
    har: {
      next: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099],
      uniform: [1.6697340414393693, 1.1748138987459242],
      gaussian: [-0.1647039026273102, 0.6436137875717839, 0.0005869289006233889],
      below: [6, 5, 2],
      shuffle: [6, 9, 7, 3, 2, 0, 8, 5, 4, 1],
      after: 0.03153795562684536,
    },
    images: {
      next: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693],
      int: [-2, 0, -2],
      shuffledIndices: [2, 4, 0, 9, 8, 5, 1, 3, 7, 6],
      after: 0.6866120179183781,
      deriveSeed: [2730589350, 1702111963, 750386094],
    },
  },
  2147483648: {
    sim: {
      next: [0.8205775609239936, 0.4481089550536126, 0.7836112855002284, 0.5120457962621003],
      uniform: [2.1940491332206875, 0.10257426486350596],
      gaussian: [0.43064901969270253, -0.1938181910095535, -0.7700377403007532],
      int: [3, 0, -2],
      pick: ['e', 'a', 'd'],
      fork: [0.16880089696496725, 0.27871591388247907],
      after: 0.9778232092503458,
    },
    har: {
      next: [0.8205775609239936, 0.4481089550536126, 0.7836112855002284],
      uniform: [1.5120457962621003, 1.8388098266441375],
      gaussian: [1.0374144006287245, -0.1699196322567893, 0.017048564435728164],
      below: [3, 2, 6],
      shuffle: [2, 0, 7, 4, 9, 8, 6, 3, 5, 1],
      after: 0.9689932239707559,
    },
    images: {
      next: [0.8205775609239936, 0.4481089550536126, 0.7836112855002284, 0.5120457962621003],
      int: [2, -1, 3],
      shuffledIndices: [2, 4, 0, 8, 1, 7, 5, 3, 6, 9],
      after: 0.4525297924410552,
      deriveSeed: [63015048, 3329504957, 2377779088],
    },
  },
  3735928559: {
    sim: {
      next: [0.9413696140982211, 0.26719574979506433, 0.772033357527107, 0.35816076025366783],
      uniform: [0.3777083889581263, 2.191156984306872],
      gaussian: [-0.8562483114465378, 1.9056701889974548, 0.07019991942341601],
      int: [3, -1, 2],
      pick: ['c', 'd', 'e'],
      fork: [0.042788030579686165, 0.15237730299122632],
      after: 0.4344276809133589,
    },
    har: {
      next: [0.9413696140982211, 0.26719574979506433, 0.772033357527107],
      uniform: [1.3581607602536678, 1.4755416777916253],
      gaussian: [0.45107155728909676, 1.2873246513920302, 0.39023164867728216],
      below: [2, 5, 3],
      shuffle: [4, 2, 5, 0, 6, 1, 3, 8, 9, 7],
      after: 0.6194721022620797,
    },
    images: {
      next: [0.9413696140982211, 0.26719574979506433, 0.772033357527107, 0.35816076025366783],
      int: [0, 2, -3],
      shuffledIndices: [8, 7, 4, 6, 9, 2, 5, 1, 0, 3],
      after: 0.9894252337981015,
      deriveSeed: [2392840999, 1364363612, 412637743],
    },
  },
} as const;

describe('lib/random reproduces the streams of the three old generators', () => {
  const seeds = Object.keys(GOLDEN).map(Number);

  it.each(seeds)('simulators/random.ts (createRandom), seed %i', (seed) => {
    const old = GOLDEN[seed as keyof typeof GOLDEN].sim;
    const r = createRandom(seed);
    expect(times(4, () => r.next())).toEqual(old.next);
    expect(times(2, () => r.uniform(-2, 3))).toEqual(old.uniform);
    // Three calls: a pair (the second kept as the spare), then a fresh pair.
    expect(times(3, () => r.gaussian())).toEqual(old.gaussian);
    expect(times(3, () => r.int(-5, 5))).toEqual(old.int);
    expect(times(3, () => r.pick(['a', 'b', 'c', 'd', 'e']))).toEqual(old.pick);
    // The typist fleet seeded each typist with createRandom(Math.floor(rng.next() * 2 ** 32)).
    const forked = r.fork();
    expect(times(2, () => forked.next())).toEqual(old.fork);
    expect(r.next()).toBe(old.after);
  });

  it.each(seeds)("models/har/rng.ts (createRng), seed %i: gaussian drops the pair's second normal", (seed) => {
    const old = GOLDEN[seed as keyof typeof GOLDEN].har;
    const r = createRandom(seed, { spareGaussian: 'drop' });
    expect(times(3, () => r.next())).toEqual(old.next);
    expect(times(2, () => r.uniform(1, 2))).toEqual(old.uniform);
    expect(times(3, () => r.gaussian())).toEqual(old.gaussian);
    expect(times(3, () => r.below(7))).toEqual(old.below);
    expect(r.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual(old.shuffle);
    expect(r.next()).toBe(old.after);
  });

  it.each(seeds)('models/images/shared/random.ts (seededRandom), seed %i', (seed) => {
    const old = GOLDEN[seed as keyof typeof GOLDEN].images;
    const r = createRandom(seed);
    expect(times(4, () => r.next())).toEqual(old.next);
    expect(times(3, () => r.int(-3, 3))).toEqual(old.int);
    expect(Array.from(r.shuffledIndices(10))).toEqual(old.shuffledIndices);
    expect(r.next()).toBe(old.after);
    expect([0, 1, 1000].map((i) => deriveSeed(seed, i))).toEqual(old.deriveSeed);
  });
});

describe('lib/random', () => {
  it('shuffles typed arrays and arrays alike, keeping every element', () => {
    const a = createRandom(7).shuffle(Int32Array.from([1, 2, 3, 4, 5, 6]));
    const b = createRandom(7).shuffle([1, 2, 3, 4, 5, 6]);
    expect(Array.from(a)).toEqual(b);
    expect([...b].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('int covers both ends of its range and nothing outside it', () => {
    const r = createRandom(3);
    const seen = new Set(times(2000, () => r.int(-2, 2)));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('gaussian has mean 0 and variance 1 with the spare kept or dropped', () => {
    for (const spareGaussian of ['keep', 'drop'] as const) {
      const r = createRandom(11, { spareGaussian });
      const v = times(20_000, () => r.gaussian());
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    }
  });

  it('a fork inherits the spare policy unless told otherwise', () => {
    const parent = () => createRandom(5, { spareGaussian: 'drop' });
    const inherited = parent().fork();
    const explicit = parent().fork({ spareGaussian: 'drop' });
    expect(times(5, () => inherited.gaussian())).toEqual(times(5, () => explicit.gaussian()));
    const keeping = parent().fork({ spareGaussian: 'keep' });
    const dropping = parent().fork();
    expect(times(3, () => keeping.gaussian())).not.toEqual(times(3, () => dropping.gaussian()));
  });
});
