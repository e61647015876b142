import { describe, expect, it } from 'vitest';
import { Resampler } from '../../data/signal/resampler.js';
import { resampleFrames } from '../../server/pipeline/resample-frames.js';
import { frame, harness } from './helpers.js';

describe('labels on the grid', () => {
  it('gives each grid point the label of the last input sample at or before it', () => {
    const r = new Resampler(100); // 10 ms grid
    expect(r.push([0, 10, 30], [0, 0, 0], [0, 0, 0], [0, 0, 0], ['a', 'b', 'c']).labels).toEqual(['a', 'b', 'b', 'c']);
    // A frame without labels (after labelled ones): the grid point before its sample still takes the last label.
    expect(r.push([45], [0], [0], [0], [undefined]).labels).toEqual(['c']);
  });

  it('ignores samples the resampler drops (repeated or earlier timestamps)', () => {
    const r = new Resampler(100);
    r.push([0, 10], [0, 0], [0, 0], [0, 0], ['a', 'b']);
    expect(r.push([5, 10], [0, 0], [0, 0], [0, 0], ['late', 'dup']).labels).toEqual([]);
    expect(r.push([20], [0], [0], [0], ['c']).labels).toEqual(['c']);
  });
});

describe('resampleFrames', () => {
  it('puts jittery 100 Hz frames on a 50 Hz grid, carrying labels and arrival times', () => {
    const h = harness(resampleFrames(50, 500));
    const t1 = [0, 9, 21, 30, 40, 50, 61, 70, 80, 90];
    const t2 = [100, 110, 120, 130, 140];
    h.push(frame(0, t1, { x: t1.map((t) => t / 10), labels: t1.map((t) => (t < 50 ? 'sitting' : 'standing')), receivedAt: 1 }));
    h.push(frame(1, t2, { x: t2.map((t) => t / 10), labels: t2.map(() => 'standing'), receivedAt: 2 }));
    const ts = h.out.flatMap((c) => Array.from(c.t));
    expect(ts).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
    // x = t / 10, linear, so interpolation is exact.
    expect(h.out.flatMap((c) => Array.from(c.x))).toEqual(ts.map((t) => expect.closeTo(t / 10, 5)));
    expect(h.out.flatMap((c) => c.labels)).toEqual(['sitting', 'sitting', 'sitting', 'standing', 'standing', 'standing', 'standing', 'standing']);
    expect(h.out.map((c) => c.receivedAt)).toEqual([1, 2]);
    expect(h.out.every((c) => !c.gap)).toBe(true);
  });

  it('marks a restart after a pause longer than maxGapMs', () => {
    const h = harness(resampleFrames(50, 500));
    h.push(frame(0, [0, 20, 40]), frame(1, [2000, 2020]));
    expect(h.out.map((c) => [c.gap, Array.from(c.t)])).toEqual([
      [false, [0, 20, 40]],
      [true, [2000, 2020]],
    ]);
    expect(h.out[0]!.labels).toBeUndefined();
  });
});
