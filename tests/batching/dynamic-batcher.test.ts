import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatcherClosedError, DynamicBatcher, OverloadedError } from '../../server/batching/dynamic-batcher.js';

/** A batcher whose run doubles numbers and records the batches it saw. */
function doubler(opts: { maxBatch: number; maxDelayMs: number; maxQueue?: number; fail?: (items: readonly number[]) => boolean }) {
  const batches: number[][] = [];
  const batcher = new DynamicBatcher<number, number>({
    maxBatch: opts.maxBatch,
    maxDelayMs: opts.maxDelayMs,
    maxQueue: opts.maxQueue ?? 100,
    now: () => Date.now(),
    run: (items) => {
      batches.push([...items]);
      if (opts.fail?.(items)) throw new Error(`batch ${items.join(',')} failed`);
      return items.map((x) => x * 2);
    },
  });
  return { batcher, batches };
}

describe('DynamicBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a full batch without waiting for maxDelayMs', async () => {
    const { batcher, batches } = doubler({ maxBatch: 4, maxDelayMs: 1000 });
    const results = Promise.all([1, 2, 3, 4].map((x) => batcher.submit(x)));
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2, 3, 4]]);
    await expect(results).resolves.toEqual([2, 4, 6, 8]);
  });

  it('runs a partial batch once the oldest item has waited maxDelayMs, not before', async () => {
    const { batcher, batches } = doubler({ maxBatch: 8, maxDelayMs: 50 });
    const first = batcher.submit(1);
    await vi.advanceTimersByTimeAsync(30);
    const second = batcher.submit(2);
    await vi.advanceTimersByTimeAsync(19);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2]]);
    await expect(Promise.all([first, second])).resolves.toEqual([2, 4]);
    expect(batcher.stats().queueWaitMs.p99).toBe(50);
  });

  it('splits a burst into maxBatch-sized batches and resolves everything in submission order', async () => {
    const { batcher, batches } = doubler({ maxBatch: 3, maxDelayMs: 10 });
    const order: number[] = [];
    const all = Array.from({ length: 8 }, (_, i) => batcher.submit(i).then((r) => (order.push(i), r)));
    await vi.advanceTimersByTimeAsync(100);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
    await expect(Promise.all(all)).resolves.toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const stats = batcher.stats();
    expect(stats.batchSizeHistogram).toEqual([0, 0, 1, 2]);
    expect(stats.meanBatch).toBeCloseTo(8 / 3);
    expect(stats.completed).toBe(8);
  });

  it('runs one batch at a time and queues behind a slow asynchronous run', async () => {
    let active = 0;
    let maxActive = 0;
    const batcher = new DynamicBatcher<number, number>({
      maxBatch: 2,
      maxDelayMs: 0,
      maxQueue: 10,
      now: () => Date.now(),
      run: async (items) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return items.map((x) => -x);
      },
    });
    const results = Promise.all([1, 2, 3, 4, 5].map((x) => batcher.submit(x)));
    await vi.advanceTimersByTimeAsync(200);
    await expect(results).resolves.toEqual([-1, -2, -3, -4, -5]);
    expect(maxActive).toBe(1);
    expect(batcher.stats().runMs.p50).toBe(20);
  });

  it('rejects with OverloadedError when the queue is full instead of growing', async () => {
    const { batcher } = doubler({ maxBatch: 2, maxDelayMs: 1000, maxQueue: 3 });
    const accepted = [batcher.submit(1), batcher.submit(2), batcher.submit(3)];
    expect(batcher.queueDepth).toBe(3);
    const rejected = batcher.submit(4);
    await expect(rejected).rejects.toBeInstanceOf(OverloadedError);
    await expect(rejected).rejects.toThrow(/3 items already queued \(limit 3\)/);
    expect(batcher.queueDepth).toBe(3);
    expect(batcher.stats().overloaded).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    await expect(Promise.all(accepted)).resolves.toEqual([2, 4, 6]);
    // Once drained it accepts again.
    const again = batcher.submit(5);
    await vi.advanceTimersByTimeAsync(2000);
    await expect(again).resolves.toBe(10);
  });

  it('a failed batch rejects only its own items', async () => {
    const { batcher } = doubler({ maxBatch: 2, maxDelayMs: 5, fail: (items) => items.includes(3) });
    const settled = Promise.allSettled([1, 2, 3, 4, 5, 6].map((x) => batcher.submit(x)));
    await vi.advanceTimersByTimeAsync(100);
    const outcome = (await settled).map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message));
    expect(outcome).toEqual([2, 4, 'batch 3,4 failed', 'batch 3,4 failed', 10, 12]);
    expect(batcher.stats()).toMatchObject({ completed: 4, failed: 2, batches: 3 });
  });

  it('rejects every item of a batch whose run returns the wrong number of results', async () => {
    const batcher = new DynamicBatcher<number, number>({ maxBatch: 2, maxDelayMs: 0, maxQueue: 10, run: (items) => items.slice(1) });
    const settled = Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    await vi.advanceTimersByTimeAsync(10);
    for (const s of await settled) {
      expect(s.status).toBe('rejected');
      expect(String((s as PromiseRejectedResult).reason)).toMatch(/returned 1 results for 2 items/);
    }
  });

  it('close() rejects what is still queued', async () => {
    const { batcher, batches } = doubler({ maxBatch: 4, maxDelayMs: 1000 });
    const queued = batcher.submit(1);
    await batcher.close();
    await expect(queued).rejects.toBeInstanceOf(BatcherClosedError);
    await expect(batcher.submit(2)).rejects.toBeInstanceOf(BatcherClosedError);
    await vi.advanceTimersByTimeAsync(2000);
    expect(batches).toEqual([]);
  });

  it('drains every due batch in one turn when runs are synchronous (a busy event loop still runs the queue)', async () => {
    vi.useRealTimers();
    const { batcher, batches } = doubler({ maxBatch: 2, maxDelayMs: 1000 });
    const results = Promise.all([1, 2, 3, 4, 5, 6].map((x) => batcher.submit(x)));
    // The batcher's own setImmediate was queued first: by the time ours runs, the whole queue ran.
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    await expect(results).resolves.toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('with maxConcurrent 2 keeps a second batch in flight and starts the next one as soon as a run settles', async () => {
    const releases: (() => void)[] = [];
    const started: number[][] = [];
    const batcher = new DynamicBatcher<number, number>({
      maxBatch: 2,
      maxDelayMs: 1000,
      maxQueue: 100,
      maxConcurrent: 2,
      now: () => Date.now(),
      run: (items) => {
        started.push([...items]);
        return new Promise<number[]>((resolve) => releases.push(() => resolve(items.map((x) => x + 100))));
      },
    });
    const results = Promise.all([1, 2, 3, 4, 5, 6].map((x) => batcher.submit(x)));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([
      [1, 2],
      [3, 4],
    ]); // two in flight, the third full batch waits for a slot
    releases[0]!();
    await Promise.resolve();
    await Promise.resolve();
    expect(started.length).toBe(3); // started on the settling itself, no timer turn in between
    releases[1]!();
    releases[2]!();
    await expect(results).resolves.toEqual([101, 102, 103, 104, 105, 106]);
    expect(() => new DynamicBatcher({ maxBatch: 1, maxDelayMs: 1, maxQueue: 1, maxConcurrent: 0, run: (i: readonly number[]) => [...i] })).toThrow(/maxConcurrent/);
  });

  it('starts batches from submit() itself when its timers are starved (an event loop busy with sockets)', () => {
    let clock = 0;
    const batches: number[][] = [];
    const batcher = new DynamicBatcher<number, number>({
      maxBatch: 10,
      maxDelayMs: 5,
      maxQueue: 100,
      now: () => clock,
      run: (items) => (batches.push([...items]), items.map((x) => x)),
    });
    // No timer or immediate gets to run in this test: everything below is one synchronous turn.
    void batcher.submit(1);
    clock = 5 + 9;
    void batcher.submit(2); // 1 is due, but its timer may just be a little late: it waits for it
    expect(batches).toEqual([]);
    clock = 5 + 10;
    void batcher.submit(3); // the timer is clearly late: the submitter starts the batch
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('uses the extra run slots for full batches only (maxConcurrentPartial)', async () => {
    const releases: (() => void)[] = [];
    const started: number[][] = [];
    const batcher = new DynamicBatcher<number, number>({
      maxBatch: 2,
      maxDelayMs: 5,
      maxQueue: 100,
      maxConcurrent: 3,
      maxConcurrentPartial: 1,
      now: () => Date.now(),
      run: (items) => {
        started.push([...items]);
        return new Promise<number[]>((resolve) => releases.push(() => resolve([...items])));
      },
    });
    const all = [batcher.submit(1)];
    await vi.advanceTimersByTimeAsync(5);
    expect(started).toEqual([[1]]); // a partial batch takes the one partial slot
    all.push(batcher.submit(2));
    await vi.advanceTimersByTimeAsync(50);
    expect(started).toHaveLength(1); // another partial batch waits for it
    all.push(batcher.submit(3), batcher.submit(4), batcher.submit(5));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([[1], [2, 3], [4, 5]]); // full batches use the extra slots
    for (const r of releases) r();
    await vi.advanceTimersByTimeAsync(0);
    await expect(Promise.all(all)).resolves.toEqual([1, 2, 3, 4, 5]);
  });

  it('validates its settings', () => {
    const run = (items: readonly number[]) => [...items];
    expect(() => new DynamicBatcher({ maxBatch: 0, maxDelayMs: 1, maxQueue: 1, run })).toThrow(/maxBatch/);
    expect(() => new DynamicBatcher({ maxBatch: 1, maxDelayMs: -1, maxQueue: 1, run })).toThrow(/maxDelayMs/);
    expect(() => new DynamicBatcher({ maxBatch: 1, maxDelayMs: 1, maxQueue: 1.5, run })).toThrow(/maxQueue/);
  });
});
