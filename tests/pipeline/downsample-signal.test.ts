import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchSignal, downsampleSignal } from '../../server/pipeline/downsample-signal.js';
import type { SignalPoints } from '../../server/pipeline/types.js';
import { frame, harness } from './helpers.js';

describe('downsampleSignal', () => {
  it('thins 100 Hz to 25 Hz by device time across frames, rounding values', () => {
    const h = harness(downsampleSignal(25));
    h.push(frame(0, [0, 10, 20, 30, 40, 50], { x: [0.123456, 1, 2, 3, 4, 5] }), frame(1, [60, 70, 80, 90]));
    expect(h.out.flatMap((p) => p.t)).toEqual([0, 40, 80]);
    expect(h.out[0]!.x).toEqual([0.1235, 4]);
  });

  it('starts over when the device clock goes back', () => {
    const h = harness(downsampleSignal(10));
    h.push(frame(0, [1000, 1100]), frame(1, [0, 100]));
    expect(h.out.flatMap((p) => p.t)).toEqual([1000, 1100, 0, 100]);
  });
});

describe('batchSignal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gathers the points of an interval into one batch and stays silent when idle', () => {
    const h = harness(batchSignal(100));
    const pts = (t: number): SignalPoints => ({ t: [t], x: [t], y: [0], z: [1] });
    h.push(pts(1), pts(2));
    vi.advanceTimersByTime(100);
    h.push(pts(3));
    vi.advanceTimersByTime(500);
    expect(h.out.map((b) => b.t)).toEqual([[1, 2], [3]]);
    // Idle: no timer stays armed (thousands of quiet devices cost nothing).
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends what it holds when the stream completes', () => {
    const h = harness(batchSignal(100));
    h.push({ t: [7], x: [0], y: [0], z: [1] });
    h.complete();
    expect(h.out.map((b) => b.t)).toEqual([[7]]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
