import { describe, expect, it } from 'vitest';
import { nearestRank, percentileOf } from '../../lib/percentile.js';
import { RollingSamples } from '../../lib/rolling-samples.js';

describe('nearest-rank percentiles', () => {
  it('is always one of the values: the smallest with at least p% at or below it', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(sorted, 50)).toBe(5);
    expect(nearestRank(sorted, 51)).toBe(6);
    expect(nearestRank(sorted, 99)).toBe(10);
    expect(nearestRank(sorted, 0)).toBe(1);
    expect(nearestRank([], 50)).toBe(0);
    expect(percentileOf([10, 3, 7], 50)).toBe(7);
    expect(percentileOf([], 99)).toBeNull();
  });
});

describe('RollingSamples', () => {
  it('keeps the last `capacity` values: older ones leave the percentiles and the mean', () => {
    const s = new RollingSamples(4);
    expect(s.summary()).toEqual({ count: 0, mean: 0, p50: 0, p99: 0 });
    for (const v of [100, 100, 1, 2, 3, 4]) s.add(v);
    expect(s.count).toBe(4);
    expect(s.mean()).toBe(2.5);
    expect(s.percentile(50)).toBe(2);
    expect(s.summary()).toEqual({ count: 4, mean: 2.5, p50: 2, p99: 4 });
    expect(s.toArray().sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    s.clear();
    expect(s.count).toBe(0);
    expect(s.percentile(99)).toBe(0);
    expect(s.toArray()).toEqual([]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RollingSamples(0)).toThrow(RangeError);
  });
});
