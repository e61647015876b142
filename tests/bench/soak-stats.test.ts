// bench/soak.ts: the statistics its verdict rests on.
import { describe, expect, it } from 'vitest';
import { heapFloorPerMinute, knownSlope, slope } from '../../bench/soak.js';

describe('soak statistics', () => {
  it('Theil-Sen slope ignores one outlier that would tilt a least-squares fit', () => {
    const x = [0, 1, 2, 3, 4, 5, 6];
    const y = x.map((v) => 100 + 2 * v);
    y[3] = 900; // a stall
    expect(slope(x, y)).toBeCloseTo(2, 10);
  });

  it('a sawtooth heap with a flat floor has a flat floor slope; a leaking floor does not', () => {
    const flat = Array.from({ length: 60 }, (_, i) => ({ minute: i / 6, heapMb: 100 + (i % 6) * 40 }));
    const leaking = flat.map((s) => ({ ...s, heapMb: s.heapMb + 5 * s.minute }));
    const floor = (xs: typeof flat) => {
      const f = heapFloorPerMinute(xs);
      return slope(
        f.map((p) => p.minute),
        f.map((p) => p.heapMb),
      );
    };
    expect(heapFloorPerMinute(flat)).toHaveLength(10);
    expect(floor(flat)).toBeCloseTo(0, 10);
    expect(floor(leaking)).toBeCloseTo(5, 1);
  });

  it('a slope over a figure the server reports only later (live heap: NaN before the first full GC) uses the known points, or is null', () => {
    const x = [0, 1, 2, 3, 4, 5];
    expect(knownSlope(x, [NaN, NaN, 80, 81, 82, 83])).toBeCloseTo(1, 10);
    expect(knownSlope(x, [NaN, NaN, NaN, NaN, NaN, 83])).toBeNull();
    expect(
      knownSlope(
        x,
        x.map(() => NaN),
      ),
    ).toBeNull();
  });
});
