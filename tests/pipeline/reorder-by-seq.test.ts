import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reorderBySeq, type ReorderOptions } from '../../server/pipeline/reorder-by-seq.js';
import { harness } from './helpers.js';

type Drop = Parameters<NonNullable<ReorderOptions['onDrop']>>[0];

function setup(opts: Partial<ReorderOptions> = {}) {
  const drops: Drop[] = [];
  const h = harness(reorderBySeq<{ seq: number }>({ maxWaitMs: 100, maxPending: 10, onDrop: (d) => drops.push(d), ...opts }));
  const push = (...seqs: number[]) => h.push(...seqs.map((seq) => ({ seq })));
  return { h, push, drops, seqs: () => h.out.map((f) => f.seq) };
}

describe('reorderBySeq', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes frames that arrive in order straight through', () => {
    const { push, seqs } = setup();
    push(0, 1, 2, 3);
    expect(seqs()).toEqual([0, 1, 2, 3]);
  });

  it('holds frames that overtook a missing one and releases them in order when it arrives', () => {
    const { push, seqs } = setup();
    push(0, 2, 3);
    expect(seqs()).toEqual([0]);
    push(1);
    expect(seqs()).toEqual([0, 1, 2, 3]);
    push(4);
    expect(seqs()).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives a missing frame up after maxWaitMs and goes on', () => {
    const { push, seqs, drops } = setup();
    push(0, 3, 2);
    vi.advanceTimersByTime(99);
    expect(seqs()).toEqual([0]);
    vi.advanceTimersByTime(1);
    expect(seqs()).toEqual([0, 2, 3]);
    expect(drops).toEqual([{ kind: 'lost', seq: 1, count: 1 }]);
    push(1); // too late now
    expect(drops.at(-1)).toEqual({ kind: 'late', seq: 1 });
    expect(seqs()).toEqual([0, 2, 3]);
  });

  it('waits afresh for each successive hole', () => {
    const { push, seqs } = setup();
    push(0, 2, 4);
    vi.advanceTimersByTime(100); // gives up 1, emits 2, now waits for 3
    expect(seqs()).toEqual([0, 2]);
    vi.advanceTimersByTime(99);
    expect(seqs()).toEqual([0, 2]);
    vi.advanceTimersByTime(1);
    expect(seqs()).toEqual([0, 2, 4]);
  });

  it('skips at once when too many frames wait', () => {
    const { push, seqs } = setup({ maxPending: 2 });
    push(0, 2, 3, 4);
    expect(seqs()).toEqual([0, 2, 3, 4]);
  });

  it('drops duplicates and starts at firstSeq', () => {
    const { push, seqs, drops } = setup({ firstSeq: 5 });
    push(5, 5, 7, 7, 6);
    expect(seqs()).toEqual([5, 6, 7]);
    expect(drops.map((d) => d.kind)).toEqual(['late', 'duplicate']);
  });

  it('flushes what waits, in order, when the stream completes', () => {
    const { h, push, seqs } = setup();
    push(0, 5, 3);
    h.complete();
    expect(seqs()).toEqual([0, 3, 5]);
    expect(h.completed).toBe(true);
  });
});
