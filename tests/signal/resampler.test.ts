import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PAUSES_IN_CREDIT, Resampler, resampleSeries } from '../../data/signal/resampler.js';
import { createRandom } from '../../lib/random.js';

function series(t: number[], f: (t: number) => [number, number, number]) {
  const v = t.map(f);
  return { t, x: v.map((p) => p[0]), y: v.map((p) => p[1]), z: v.map((p) => p[2]) };
}

function times(n: number, stepMs: number, t0 = 1000) {
  return Array.from({ length: n }, (_, i) => t0 + i * stepMs);
}

describe('resampleSeries', () => {
  it('reproduces a linear signal exactly on a 50 Hz grid from 20 Hz input', () => {
    const s = series(times(21, 50), (t) => [t / 1000, 2 - t / 500, 0.5]);
    const r = resampleSeries(s, 50);
    // 1000 ms of input at 50 Hz: 51 grid points from the first sample.
    expect(r.t.length).toBe(51);
    for (let i = 0; i < r.t.length; i++) {
      expect(r.t[i]).toBeCloseTo(1000 + i * 20, 9);
      expect(r.x[i]).toBeCloseTo(r.t[i]! / 1000, 5);
      expect(r.y[i]).toBeCloseTo(2 - r.t[i]! / 500, 4);
      expect(r.z[i]).toBeCloseTo(0.5, 6);
    }
  });

  it('puts jittery 100 Hz input on a uniform grid and keeps a 2 Hz sine', () => {
    let t = 0;
    const ts: number[] = [];
    for (let i = 0; i < 400; i++) {
      ts.push(t);
      t += 10 + ((i * 7919) % 7) - 3; // 7-13 ms steps
    }
    const s = series(ts, (ms) => [Math.sin((2 * Math.PI * 2 * ms) / 1000), 0, 1]);
    const r = resampleSeries(s, 50);
    for (let i = 1; i < r.t.length; i++) expect(r.t[i]! - r.t[i - 1]!).toBeCloseTo(20, 9);
    for (let i = 0; i < r.t.length; i++) expect(Math.abs(r.x[i]! - Math.sin((2 * Math.PI * 2 * r.t[i]!) / 1000))).toBeLessThan(0.01);
  });

  it('drops duplicate timestamps', () => {
    const r = resampleSeries({ t: [0, 20, 20, 40], x: [0, 1, 99, 2], y: [0, 0, 0, 0], z: [0, 0, 0, 0] }, 50);
    expect(Array.from(r.t)).toEqual([0, 20, 40]);
    expect(Array.from(r.x)).toEqual([0, 1, 2]);
  });

  it('restarts the grid after a gap longer than maxGapMs', () => {
    const t = [...times(10, 20, 0), ...times(10, 20, 180 + 800)];
    const r = resampleSeries(
      series(t, () => [0, 0, 1]),
      50,
    );
    expect(r.t.length).toBe(20);
    expect(r.t[10]! - r.t[9]!).toBeCloseTo(800, 9); // no interpolated points across the gap
    const short = resampleSeries(
      series([0, 400], (ms) => [ms, 0, 0]),
      50,
    );
    expect(short.t.length).toBe(21); // 400 ms is not a gap at the default 500 ms
  });

  it('rejects mismatched lengths and bad rates', () => {
    expect(() => resampleSeries({ t: [0, 1], x: [0], y: [0, 0], z: [0, 0] }, 50)).toThrow(/same length/);
    expect(() => resampleSeries({ t: [], x: [], y: [], z: [] }, 0)).toThrow(/positive/);
  });
});

describe('Resampler (streaming)', () => {
  it('gives the same samples as resampleSeries however the input is split into frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 2, maxLength: 120 }),
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 10, max: 100 }),
        (steps, chunks, hz) => {
          let acc = 5000;
          const t = steps.map((d) => (acc += d));
          const s = series(t, (ms) => [Math.sin(ms / 37), Math.cos(ms / 53), ms / 1e4]);
          const whole = resampleSeries(s, hz);
          const r = new Resampler(hz);
          const got: number[] = [];
          const gotX: number[] = [];
          let i = 0;
          let c = 0;
          while (i < t.length) {
            const n = chunks[c++ % chunks.length]!;
            const out = r.push(s.t.slice(i, i + n), s.x.slice(i, i + n), s.y.slice(i, i + n), s.z.slice(i, i + n));
            expect(out.gap).toBe(false);
            got.push(...out.t);
            gotX.push(...out.x);
            i += n;
          }
          expect(got).toEqual(Array.from(whole.t));
          expect(gotX).toEqual(Array.from(whole.x));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('flags a gap and returns only the samples of the new grid', () => {
    const r = new Resampler(50, { maxGapMs: 300 });
    const a = r.push([0, 20, 40], [1, 1, 1], [0, 0, 0], [0, 0, 0]);
    expect(a.gap).toBe(false);
    expect(a.t.length).toBe(3);
    // One frame spanning a gap: 60 ends the old grid, 1000 starts a new one.
    const b = r.push([60, 1000, 1020, 1040], [1, 2, 2, 2], [0, 0, 0, 0], [0, 0, 0, 0]);
    expect(b.gap).toBe(true);
    expect(Array.from(b.t)).toEqual([1000, 1020, 1040]);
    expect(Array.from(b.x)).toEqual([2, 2, 2]);
    const c = r.push([1060], [2], [0], [0]);
    expect(c.gap).toBe(false);
    expect(Array.from(c.t)).toEqual([1060]);
  });

  it('starts afresh after reset()', () => {
    const r = new Resampler(50);
    r.push([0, 20], [0, 0], [0, 0], [0, 0]);
    const after = r.push([7, 27], [1, 1], [0, 0], [0, 0]);
    expect(after.t.length).toBe(0); // without reset these are dropped as out of order
    r.reset();
    const fresh = r.push([7, 27], [1, 1], [0, 0], [0, 0]);
    expect(Array.from(fresh.t)).toEqual([7, 27]);
    expect(fresh.gap).toBe(false);
  });
});

describe('Resampler grid-point budget (maxPointsPerSample)', () => {
  const perSample = 2;
  const credit = PAUSES_IN_CREDIT * (Math.ceil(500 / 20) + 1) + perSample; // a few pauses of maxGapMs, on a 50 Hz grid

  it('never emits more than maxPointsPerSample per input sample, plus one pause, whatever the timestamps', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 400 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }), (steps, chunks) => {
        let acc = 1e6;
        const t = steps.map((d) => (acc += d));
        const r = new Resampler(50, { maxPointsPerSample: perSample });
        let emitted = 0;
        for (let i = 0, c = 0; i < t.length;) {
          const n = chunks[c++ % chunks.length]!;
          const part = t.slice(i, i + n);
          const zeros = part.map(() => 0);
          emitted += r.push(part, zeros, zeros, zeros).t.length;
          i += n;
        }
        expect(emitted).toBeLessThanOrEqual(perSample * t.length + credit);
      }),
      { numRuns: 300 },
    );
  });

  it('turns samples 499 ms apart into about one point each (restarts), not ~25', () => {
    const r = new Resampler(50, { maxPointsPerSample: perSample });
    const t = times(2000, 499);
    const zeros = t.map(() => 0);
    const out = r.push(t, zeros, zeros, zeros);
    const unlimited = new Resampler(50).push(t, zeros, zeros, zeros);
    expect(out.gap).toBe(true);
    // Unlimited, every 499 ms pause is filled: ~50,000 points (780 windows of 64 new samples).
    expect(unlimited.t.length).toBeGreaterThan(49_000);
    // Within the budget, restarts: what a push returns is the last grid (a window restarts on a gap).
    expect(out.t.length).toBeLessThanOrEqual(perSample * 2000 + credit);
    expect(out.t.length).toBeLessThan(unlimited.t.length / 10);
  });

  it('changes nothing for streams at their rate, jitter and short pauses included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 200 }), fc.integer({ min: 0, max: 2 ** 31 }), (hz, seed) => {
        const random = createRandom(seed);
        const rand = () => random.next();
        const period = 1000 / hz;
        let acc = 5000;
        // ±30% jitter, and now and then (1 in 200) a pause of up to 450 ms.
        const t = Array.from({ length: 1500 }, () => (acc += rand() < 0.005 ? 450 * rand() + period : period * (0.7 + 0.6 * rand())));
        const zeros = t.map(() => 0);
        const budget = Math.max(2, (1.5 * 50) / hz);
        const limited = resampleSeries({ t, x: zeros, y: zeros, z: zeros }, 50, { maxPointsPerSample: budget });
        const free = resampleSeries({ t, x: zeros, y: zeros, z: zeros }, 50);
        expect(Array.from(limited.t)).toEqual(Array.from(free.t));
      }),
      { numRuns: 100 },
    );
  });
});
