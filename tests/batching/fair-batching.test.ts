// Fairness between submitters (issue 13, finding 1): a key (device) with a backlog gives up its
// own items when the queue is full, and every batch is shared among the keys waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamicBatcher, OverloadedError } from '../../server/batching/dynamic-batcher.js';

/** Items are "key:n" strings; run echoes them and records the batches. */
function echo(maxBatch: number, maxQueue: number) {
  const batches: string[][] = [];
  const batcher = new DynamicBatcher<string, string>({
    maxBatch,
    maxDelayMs: 10,
    maxQueue,
    now: () => Date.now(),
    run: (items) => {
      batches.push([...items]);
      return [...items];
    },
  });
  const outcomes = new Map<string, 'ok' | 'overloaded' | 'other'>();
  const submit = (key: string, n: number) => {
    const item = `${key}:${n}`;
    const p = batcher.submit(item, key).then(
      () => void outcomes.set(item, 'ok'),
      (err: unknown) => void outcomes.set(item, err instanceof OverloadedError ? 'overloaded' : 'other'),
    );
    return p;
  };
  return { batcher, batches, outcomes, submit };
}

describe('fair batching', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a full queue makes the key with the most items give up its newest, until the keys are even', async () => {
    const { batcher, outcomes, submit } = echo(4, 8);
    const all: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) all.push(submit('backlog', i)); // 8 queued, 2 turned away
    for (let i = 0; i < 5; i++) all.push(submit('neighbour', i)); // 4 room made, then even: the 5th is turned away
    expect(batcher.queueDepth).toBe(8);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(all);
    const of = (key: string, outcome: string) => [...outcomes].filter(([item, o]) => item.startsWith(key) && o === outcome).map(([item]) => item);
    expect(of('neighbour', 'ok')).toEqual(['neighbour:0', 'neighbour:1', 'neighbour:2', 'neighbour:3']);
    expect(of('neighbour', 'overloaded')).toEqual(['neighbour:4']);
    // The backlog kept its oldest four; its newest queued ones made the room.
    expect(of('backlog', 'ok')).toEqual(['backlog:0', 'backlog:1', 'backlog:2', 'backlog:3']);
    expect(of('backlog', 'overloaded').sort()).toEqual(['backlog:4', 'backlog:5', 'backlog:6', 'backlog:7', 'backlog:8', 'backlog:9']);
    expect(batcher.stats().overloaded).toBe(7);
    // The backlog's first two (alone) were plain overload; the evictions took from a key holding
    // more than twice what the other held (8 vs 0, 7 vs 1, 6 vs 2, 5 vs 3: three of the four);
    // neighbour:4, holding as many as the backlog, was plain overload.
    expect(batcher.stats().overShare).toBe(3);
  });

  it('counts the windows a backlog loses beyond twice its share apart (the load shedder leaves them out)', async () => {
    const { batcher, submit } = echo(4, 12);
    const all: Promise<void>[] = [];
    for (let i = 0; i < 11; i++) all.push(submit('backlog', i));
    all.push(submit('n1', 0));
    for (let i = 0; i < 5; i++) all.push(submit('backlog', 100 + i)); // full: holding 11 against n1's 1, turned away beyond its share
    all.push(submit('n2', 0)); // evicts one of the backlog's (11 against 0.5 on average)
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(all);
    expect(batcher.stats().overloaded).toBe(6);
    expect(batcher.stats().overShare).toBe(6);
  });

  it('shares each batch among the keys waiting, in queue order within a key', async () => {
    const { batches, submit } = echo(8, 100);
    const all: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) all.push(submit('a', i));
    all.push(submit('b', 0), submit('b', 1), submit('c', 0), submit('b', 2));
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(all);
    // 3 keys: a share of 2 each first (b and c in the first batch), then the room left in queue order.
    expect(batches[0]).toEqual(['a:0', 'a:1', 'b:0', 'b:1', 'c:0', 'a:2', 'a:3', 'a:4']);
    // Then 2 keys (b:2 came after all of a's): shares of 4, b:2 among them however far back it waits.
    expect(batches[1]).toEqual(['a:5', 'a:6', 'a:7', 'a:8', 'b:2', 'a:9', 'a:10', 'a:11']);
    const order = batches.flat();
    for (const key of ['a', 'b', 'c']) {
      const mine = order.filter((i) => i.startsWith(`${key}:`));
      expect(mine).toEqual(mine.slice().sort((x, y) => Number(x.split(':')[1]) - Number(y.split(':')[1])));
    }
    expect(order).toHaveLength(24);
  });

  it('items without a key share one lane: first come, first served as before', async () => {
    const batches: number[][] = [];
    const batcher = new DynamicBatcher<number, number>({ maxBatch: 3, maxDelayMs: 10, maxQueue: 4, now: () => Date.now(), run: (items) => (batches.push([...items]), [...items]) });
    const results = Array.from({ length: 6 }, (_, i) =>
      batcher.submit(i).then(
        () => 'ok',
        (e: unknown) => (e instanceof OverloadedError ? 'overloaded' : 'other'),
      ),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(await Promise.all(results)).toEqual(['ok', 'ok', 'ok', 'ok', 'overloaded', 'overloaded']);
    expect(batches).toEqual([[0, 1, 2], [3]]);
  });
});
