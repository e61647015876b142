// server/metrics/live-heap.ts: the old generation right after a full GC follows what the program
// holds, not the garbage allocated since.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveHeap } from '../../server/metrics/live-heap.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 2 ** 20;

/** A full GC, then a moment for the GC entry to reach the observer. */
async function fullGc(): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 50));
}

let live: LiveHeap | undefined;
afterEach(() => live?.close());

describe('LiveHeap', () => {
  it('is unknown until a full GC, then rises with retained objects and ignores garbage', async () => {
    live = new LiveHeap();
    expect(live.bytes).toBeUndefined();
    await fullGc();
    const base = live.bytes!;
    expect(base).toBeGreaterThan(1 * MB);

    // Allocations since the last full GC are not live heap yet (a read of heap_used would count them).
    const young = Array.from({ length: 2000 }, (_, i) => new Array(1000).fill(i + 0.5));
    expect(live.bytes).toBe(base);
    young.length = 0;

    // ~16 MB of garbage, dropped before the GC: the live heap must not count it.
    for (let i = 0; i < 2000; i++) void new Array(1000).fill(i + 0.5);
    await fullGc();
    expect(Math.abs(live.bytes! - base)).toBeLessThan(4 * MB);

    // ~16 MB kept (2000 arrays of 1000 doubles): the live heap grows by about that much.
    const kept = Array.from({ length: 2000 }, (_, i) => new Array(1000).fill(i + 0.5));
    await fullGc();
    expect(live.bytes! - base).toBeGreaterThan(12 * MB);
    expect(live.bytes! - base).toBeLessThan(24 * MB);

    kept.length = 0;
    await fullGc();
    expect(Math.abs(live.bytes! - base)).toBeLessThan(4 * MB);
  });

  it('stops following GCs once closed', async () => {
    live = new LiveHeap();
    await fullGc();
    const seen = live.bytes;
    live.close();
    const kept = Array.from({ length: 1000 }, (_, i) => new Array(1000).fill(i + 0.5));
    await fullGc();
    expect(live.bytes).toBe(seen);
    expect(kept.length).toBe(1000);
  });
});
