import { describe, expect, it } from 'vitest';
import { slidingWindows } from '../../server/pipeline/sliding-windows.js';
import { windowTruth } from '../../server/pipeline/window-truth.js';
import { chunk, harness } from './helpers.js';

const opts = { size: 8, hop: 4, truthMinAgreement: 0.75 };
const firstX = (w: { data: Float32Array }) => w.data[0];

describe('slidingWindows', () => {
  it('emits a window of size samples every hop samples, interleaved x,y,z, however the input is chunked', () => {
    const whole = harness(slidingWindows(opts));
    whole.push(chunk(0, 20));
    const pieces = harness(slidingWindows(opts));
    for (let i = 0; i < 20; i += 3) pieces.push(chunk(i, Math.min(3, 20 - i)));
    for (const h of [whole, pieces]) {
      expect(h.out.map(firstX)).toEqual([0, 4, 8, 12]);
      expect(h.out.map((w) => w.endT)).toEqual([7, 11, 15, 19].map((i) => i * 20));
      expect(Array.from(h.out[1]!.data.subarray(0, 6))).toEqual([4, -4, 1, 5, -5, 1]);
      expect(h.out.map((w) => w.restart)).toEqual([true, false, false, false]);
    }
  });

  it('hands out independent copies (later samples do not overwrite an emitted window)', () => {
    const h = harness(slidingWindows(opts));
    h.push(chunk(0, 8));
    const first = h.out[0]!.data.slice();
    h.push(chunk(8, 8));
    expect(h.out[0]!.data).toEqual(first);
  });

  it('restarts at a gap: no window spans it', () => {
    const h = harness(slidingWindows(opts));
    h.push(chunk(0, 10), chunk(100, 9, { gap: true }));
    expect(h.out.map(firstX)).toEqual([0, 100]);
    expect(h.out.map((w) => w.restart)).toEqual([true, true]);
  });

  it('takes the arrival time of the chunk that completed the window', () => {
    const h = harness(slidingWindows(opts));
    h.push(chunk(0, 6, { receivedAt: 111 }), chunk(6, 6, { receivedAt: 222 }));
    expect(h.out.map((w) => w.receivedAt)).toEqual([222, 222]);
  });

  it('gives a window its majority label as truth and none to a mixed window', () => {
    const labels = ['walking', 'walking', 'walking', 'walking', 'walking', 'walking', 'walking', 'walking', 'sitting', 'sitting', 'sitting', 'sitting'];
    const h = harness(slidingWindows(opts));
    h.push(chunk(0, 12, { labels }));
    expect(h.out.map((w) => w.truth)).toEqual(['walking', undefined]); // second: 4 walking + 4 sitting
    const unlabelled = harness(slidingWindows(opts));
    unlabelled.push(chunk(0, 8));
    expect('truth' in unlabelled.out[0]!).toBe(false);
  });

  it('rejects a hop larger than the window', () => {
    expect(() => slidingWindows({ size: 4, hop: 5, truthMinAgreement: 1 })).toThrow(/hop <= size/);
  });
});

describe('windowTruth', () => {
  it('needs the majority label to cover minAgreement of the window', () => {
    const w = (counts: Record<string, number>) => Object.entries(counts).flatMap(([l, n]) => Array<string | undefined>(n).fill(l === 'none' ? undefined : l));
    expect(windowTruth(w({ walking: 10 }), 10, 0.9)).toBe('walking');
    expect(windowTruth(w({ walking: 9, sitting: 1 }), 10, 0.9)).toBe('walking');
    expect(windowTruth(w({ walking: 8, sitting: 2 }), 10, 0.9)).toBeUndefined();
    // Unknown labels (postural transitions) and unlabelled samples count against agreement.
    expect(windowTruth(w({ walking: 8, transition: 2 }), 10, 0.9)).toBeUndefined();
    expect(windowTruth(w({ walking: 8, none: 2 }), 10, 0.8)).toBe('walking');
    expect(windowTruth(w({ stairs: 10 }), 10, 0.9)).toBe('stairs');
    expect(windowTruth(w({ transition: 10 }), 10, 0.5)).toBeUndefined();
  });
});
